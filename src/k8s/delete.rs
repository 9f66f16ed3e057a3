//! Deleting objects: one way, which treats "already gone" as done.

use anyhow::Result;
use k8s_openapi::NamespaceResourceScope;
use kube::api::DeleteParams;
use serde::de::DeserializeOwned;

use super::{Cluster, is_not_found};

/// Deletes the object `name` of kind `K` in the namespace; `Ok(false)` when it did not exist
/// any more. `resource` names the kind in errors ("delete statefulsets").
pub(crate) async fn delete<K>(
    cluster: &Cluster,
    name: &str,
    params: &DeleteParams,
    resource: &str,
) -> Result<bool>
where
    K: kube::Resource<Scope = NamespaceResourceScope> + Clone + DeserializeOwned + std::fmt::Debug,
    K::DynamicType: Default,
{
    match cluster.api::<K>().delete(name, params).await {
        Ok(_) => Ok(true),
        Err(err) if is_not_found(&err) => Ok(false),
        Err(err) => Err(cluster.fail(err, "delete", resource)),
    }
}
