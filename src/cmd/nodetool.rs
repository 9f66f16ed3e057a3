//! `casctl nodetool [--pod POD] -- ARGS…`: nodetool in a pod, output and exit code passed
//! through.

use anyhow::Result;
use kube::ResourceExt;

use crate::cli::NodetoolArgs;
use crate::error::{Code, Error, Outcome};
use crate::k8s::{Cluster, exec, objects, racks};
use crate::rollout;
use crate::ui::{self, Ui};

pub(crate) async fn run(cluster: &Cluster, args: &NodetoolArgs, ui: &Ui) -> Result<Outcome> {
    let pod = match &args.pod {
        Some(pod) => {
            // Only a pod known to be missing is refused here; one that cannot be read (the
            // user may exec without reading pods) is left to the exec to report.
            if let Ok(None) = objects::pod(cluster, pod).await {
                return Err(Error::Preflight {
                    message: format!("no pod {pod} in namespace {}", cluster.namespace()),
                    hint: Some(format!(
                        "`casctl status -n {} --name {}` lists the ring's pods",
                        cluster.namespace(),
                        cluster.name
                    )),
                }
                .into());
            }
            pod.clone()
        }
        None => {
            let ring = racks::existing(cluster).await?;
            let (sets, pods) = (ring.layout.sets(), racks::pods(cluster, &ring).await?);
            let names: Vec<&str> = sets.iter().map(String::as_str).collect();
            let pod = rollout::pick_pod(&names, &pods, None).ok_or_else(|| Error::NoReadyPod {
                name: cluster.name.to_string(),
                namespace: cluster.namespace().to_owned(),
                hint: "look at the pods with `casctl status`, or name one with --pod".to_owned(),
            })?;
            pod.name_any()
        }
    };
    let started = std::time::Instant::now();
    let mut command = vec!["nodetool"];
    command.extend(args.args.iter().map(String::as_str));
    let (mut stdout, mut stderr) = ui::passthrough();
    let code = exec::run_into(
        cluster,
        &pod,
        &command,
        args.timeout,
        &mut stdout,
        &mut stderr,
    )
    .await?;
    ui.phase(
        format!("nodetool {} in {pod}", args.args.join(" ")),
        started,
    );
    Ok(match code {
        0 => Outcome::from(Code::Ok),
        code => Outcome::Remote(u8::try_from(code).unwrap_or(1)),
    })
}
