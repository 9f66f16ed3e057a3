//! Deleting objects: one way, which treats "already gone" as done.

use anyhow::Result;
use kube::Api;
use kube::api::DeleteParams;
use serde::de::DeserializeOwned;

use super::{Cluster, is_not_found};

/// Deletes `name`; `Ok(false)` when it did not exist any more.
pub(crate) async fn delete<K>(
    cluster: &Cluster,
    api: &Api<K>,
    name: &str,
    params: &DeleteParams,
    resource: &str,
) -> Result<bool>
where
    K: kube::Resource + Clone + DeserializeOwned + std::fmt::Debug,
{
    match api.delete(name, params).await {
        Ok(_) => Ok(true),
        Err(err) if is_not_found(&err) => Ok(false),
        Err(err) => Err(cluster.fail(err, "delete", resource)),
    }
}
