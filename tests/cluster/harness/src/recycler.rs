//! The StorageClass `fast` is served by static PersistentVolumes with the Retain policy, so a
//! volume whose claim was deleted becomes Released and would never be used again. The recycler
//! wipes its directory (a new claim is a new node: its data must not be an old node's) and
//! drops its claim reference `CASCTL_CLUSTER_RECYCLE_DELAY` after the release: long enough for
//! tests to see it Released, short enough that the pool never runs dry.

use std::collections::HashSet;
use std::sync::Arc;

use k8s_openapi::api::core::v1::PersistentVolume;
use kube::ResourceExt;
use kube::api::{Api, Patch, PatchParams};
use serde_json::json;

use crate::daemon::Daemon;
use crate::log;

#[derive(Default)]
pub struct Recycler {
    /// "volume/claim UID" of the recycles already scheduled.
    scheduled: HashSet<String>,
}

/// The claim a Released volume still refers to, if it is Released.
fn released_by(pv: &PersistentVolume) -> Option<String> {
    let released = pv.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Released");
    let claim = pv
        .spec
        .as_ref()
        .and_then(|s| s.claim_ref.as_ref())
        .and_then(|c| c.uid.clone());
    claim.filter(|_| released)
}

impl Recycler {
    pub fn on_volume(&mut self, d: &Arc<Daemon>, pv: &PersistentVolume) {
        let Some(claim) = released_by(pv) else {
            return;
        };
        let name = pv.name_any();
        if !self.scheduled.insert(format!("{name}/{claim}")) {
            return;
        }
        let path = pv
            .spec
            .as_ref()
            .and_then(|s| s.host_path.as_ref())
            .map(|h| h.path.clone());
        let d = d.clone();
        tokio::spawn(async move {
            tokio::time::sleep(d.settings.recycle_delay).await;
            recycle(&d, &name, &claim, path.as_deref()).await;
        });
    }
}

/// Wipes the volume, then drops the claim reference, only if the volume is still Released by
/// that same claim (the patch carries the resourceVersion that was checked).
async fn recycle(d: &Daemon, name: &str, claim: &str, path: Option<&str>) {
    let api: Api<PersistentVolume> = Api::all(d.client.clone());
    let Ok(Some(pv)) = api.get_opt(name).await else {
        return;
    };
    if released_by(&pv).as_deref() != Some(claim) {
        return;
    }
    if let Some(path) = path.filter(|p| p.starts_with(&*d.settings.home.to_string_lossy())) {
        let _ = std::fs::remove_dir_all(path);
    }
    let patch = json!({
        "metadata": {"resourceVersion": pv.resource_version()},
        "spec": {"claimRef": null},
    });
    match api
        .patch(name, &PatchParams::default(), &Patch::Merge(patch))
        .await
    {
        Ok(_) => log!("{name} is Available again"),
        Err(e) => log!("cannot recycle {name}: {e}"),
    }
}
