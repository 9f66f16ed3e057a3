//! `casctl render`: the objects `up` would apply, offline.

use anyhow::Result;

use crate::cli::{GlobalArgs, RenderArgs, RenderFormat};
use crate::error::Code;
use crate::manifest::{Manifests, Target};
use crate::values::DnsLabel;

pub fn run(global: &GlobalArgs, args: &RenderArgs) -> Result<Code> {
    // Offline: the namespace is the flag's, else `default` (no kubeconfig is read).
    let namespace = global
        .namespace
        .clone()
        .map_or_else(|| DnsLabel::new("default"), Ok)
        .map_err(anyhow::Error::msg)?;
    let target = Target {
        name: global.name.clone(),
        namespace,
        replicas: None,
        cluster_domain: args.settings.cluster_domain.clone(),
    };
    let manifests = Manifests::build(&target, &args.settings, args.create_storage_class)?;
    let text = match args.output {
        RenderFormat::Yaml => manifests.to_yaml()?,
        RenderFormat::Json => manifests.to_json()?,
    };
    crate::ui::write_stdout(text)?;
    Ok(Code::Ok)
}
