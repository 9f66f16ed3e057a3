//! `casctl render`: the objects `up` would apply, offline.

use std::time::Instant;

use anyhow::Result;

use crate::cli::{RenderArgs, RenderFormat};
use crate::error::Code;
use crate::manifest::{Manifests, Target};
use crate::ui::Ui;
use crate::values::DnsLabel;

/// Offline: the namespace is the flag's, else `default` (no kubeconfig is read).
pub(crate) fn run(
    name: DnsLabel,
    namespace: Option<DnsLabel>,
    args: &RenderArgs,
    ui: &Ui,
) -> Result<Code> {
    let started = Instant::now();
    let target = Target {
        name,
        namespace: namespace.unwrap_or_else(DnsLabel::default_namespace),
        replicas: None,
        cluster_domain: args.settings.cluster_domain.clone(),
    };
    let settings = super::settings(&args.settings);
    let manifests = Manifests::build(&target, &settings, args.create_storage_class)?;
    ui.phase(
        match &args.settings.templates {
            Some(dir) => format!(
                "reading the templates in {} and setting their fields",
                dir.display()
            ),
            None => "reading the built-in templates and setting their fields".to_owned(),
        },
        started,
    );
    let started = Instant::now();
    let text = match args.output {
        RenderFormat::Yaml => manifests.to_yaml()?,
        RenderFormat::Json => manifests.to_json()?,
    };
    ui.phase(format!("writing {:?}", args.output).to_lowercase(), started);
    crate::ui::write_stdout(text)?;
    Ok(Code::Ok)
}
