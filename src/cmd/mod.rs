//! One module per command, each reading like the tutorial's section it replaces. Commands are
//! the only code below `main` that sees the parsed flags: they turn them into the plain values
//! the layers below take.

pub(crate) mod access;
pub(crate) mod completions;
pub(crate) mod down;
pub(crate) mod nodetool;
pub(crate) mod racks;
pub(crate) mod rbac;
pub(crate) mod render;
pub(crate) mod restart;
pub(crate) mod scale;
pub(crate) mod status;
pub(crate) mod steps;
pub(crate) mod up;

use crate::cli;
use crate::manifest;

/// The settings flags as the manifests take them.
pub(crate) fn settings(flags: &cli::Settings) -> manifest::Settings {
    manifest::Settings {
        replicas: flags.replicas,
        image: flags.image.clone(),
        cluster_name: flags.cluster_name.clone(),
        dc: flags.dc.clone(),
        rack: flags.rack.clone(),
        num_tokens: flags.num_tokens,
        rpc_address: flags.rpc_address.clone(),
        env: flags.env.clone(),
        heap_max: flags.heap_max.clone(),
        heap_new: flags.heap_new.clone(),
        cpu: flags.cpu.clone(),
        memory: flags.memory.clone(),
        storage_class: flags.storage_class.clone(),
        storage_size: flags.storage_size.clone(),
        templates: flags.templates.clone(),
        racks: flags.racks.clone(),
        zone_label: flags.zone_label.clone(),
    }
}
