//! `casctl nodetool [--pod POD] -- ARGS…`: nodetool in a pod, output and exit code passed
//! through.

use anyhow::Result;

use crate::cli::NodetoolArgs;
use crate::error::{Code, Outcome, UserError};
use crate::k8s::{Cluster, exec, objects, ring};
use crate::ui::Ui;

pub async fn run(cluster: &Cluster, args: &NodetoolArgs, ui: &Ui) -> Result<Outcome> {
    let pod = match &args.pod {
        Some(pod) => pod.clone(),
        None => {
            let sts = objects::statefulset(cluster).await?;
            let pods = objects::pods(cluster, &objects::selectors(cluster, sts.as_ref())).await?;
            let pod = ring::pick_pod(cluster.name.as_str(), &pods, None).ok_or_else(|| {
                anyhow::Error::from(
                    UserError::new(format!(
                        "no Ready pod of {} in namespace {}",
                        cluster.name,
                        cluster.namespace()
                    ))
                    .hint("look at the pods with `casctl status`, or name one with --pod"),
                )
            })?;
            pod.metadata.name.clone().unwrap_or_default()
        }
    };
    ui.detail(format!("running nodetool in pod {pod}"));
    let mut command = vec!["nodetool"];
    command.extend(args.args.iter().map(String::as_str));
    let (mut stdout, mut stderr) = (tokio::io::stdout(), tokio::io::stderr());
    let code = exec::run_into(
        &cluster.api(),
        &pod,
        &command,
        args.timeout,
        &mut stdout,
        &mut stderr,
    )
    .await?;
    Ok(match code {
        0 => Outcome::Code(Code::Ok),
        code => Outcome::Remote(u8::try_from(code).unwrap_or(1)),
    })
}
