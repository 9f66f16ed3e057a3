//! `casctl render`: the objects `up` would apply, offline.

use anyhow::Result;

use crate::cli::{RenderArgs, RenderFormat};
use crate::error::Code;
use crate::manifest::{Manifests, Target};
use crate::values::DnsLabel;

/// Offline: the namespace is the flag's, else `default` (no kubeconfig is read).
pub(crate) fn run(name: DnsLabel, namespace: Option<DnsLabel>, args: &RenderArgs) -> Result<Code> {
    let target = Target {
        name,
        namespace: namespace.unwrap_or_else(DnsLabel::default_namespace),
        replicas: None,
        cluster_domain: args.settings.cluster_domain.clone(),
    };
    let settings = super::settings(&args.settings);
    let manifests = Manifests::build(&target, &settings, args.create_storage_class)?;
    let text = match args.output {
        RenderFormat::Yaml => manifests.to_yaml()?,
        RenderFormat::Json => manifests.to_json()?,
    };
    crate::ui::write_stdout(text)?;
    Ok(Code::Ok)
}
