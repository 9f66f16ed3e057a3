//! Thin glue to the Kubernetes API: the client, apply, watches, exec, delete-and-wait.

pub mod client;
pub mod exec;
pub mod objects;
pub mod ring;
pub mod watch;

use anyhow::Result;
use k8s_openapi::NamespaceResourceScope;
use kube::Api;
use serde::de::DeserializeOwned;

use crate::cli::GlobalArgs;
use crate::error::UserError;
use crate::values::DnsLabel;
pub use client::{Resolved, Source};

/// The field manager of every write casctl makes.
pub const FIELD_MANAGER: &str = "casctl";

/// A connected client and what the flags resolved to: the one thing every online command
/// receives.
#[derive(Clone)]
pub struct Cluster {
    pub client: kube::Client,
    pub resolved: Resolved,
    pub source: Source,
    pub name: DnsLabel,
}

impl Cluster {
    /// Builds the client. This does not contact the API server yet.
    pub async fn connect(global: &GlobalArgs) -> Result<Self> {
        let (client, resolved, source) = client::connect(global).await?;
        Ok(Cluster {
            client,
            resolved,
            source,
            name: global.name.clone(),
        })
    }

    pub fn namespace(&self) -> &str {
        self.resolved.namespace.as_str()
    }

    /// The API of a namespaced kind in the target namespace.
    pub fn api<K>(&self) -> Api<K>
    where
        K: kube::Resource<Scope = NamespaceResourceScope>
            + Clone
            + DeserializeOwned
            + std::fmt::Debug,
        K::DynamicType: Default,
    {
        Api::namespaced(self.client.clone(), self.namespace())
    }

    /// Turns a client error into one the user can act on: unreachable server, missing
    /// permission, rejected credentials. `verb` and `resource` say what was being done
    /// (`"patch"`, `"statefulsets"`).
    pub fn explain(&self, err: kube::Error, verb: &str, resource: &str) -> anyhow::Error {
        let ns = self.namespace();
        let ctx = &self.resolved.context;
        let user_error = match &err {
            kube::Error::Api(status) if status.is_forbidden() => UserError::new(format!(
                "forbidden: cannot {verb} {resource} in namespace {ns}"
            ))
            .hint(format!(
                "ask for RBAC permission to {verb} {resource} in namespace {ns} for the user of context \"{ctx}\""
            )),
            kube::Error::Api(status) if status.code == 401 => {
                UserError::new("the API server rejected the credentials")
                    .hint(format!("refresh the credentials of context \"{ctx}\" in {}", self.source))
            }
            kube::Error::Api(_) => UserError::new(format!("cannot {verb} {resource} in namespace {ns}")),
            _ if is_connection_error(&err) => UserError::new(format!(
                "cannot reach the API server at {} (context \"{ctx}\")",
                self.resolved.server
            ))
            .hint(format!(
                "check that the cluster is running and that the kubeconfig {} and --context point at it",
                self.source
            )),
            _ => UserError::new(format!("cannot {verb} {resource} in namespace {ns}")),
        };
        anyhow::Error::new(err).context(user_error)
    }
}

/// Transport-level failures: the request never got an answer from the API server.
fn is_connection_error(err: &kube::Error) -> bool {
    matches!(
        err,
        kube::Error::HyperError(_) | kube::Error::Service(_) | kube::Error::RustlsTls(_)
    )
}

/// Whether an error is the API's "not found".
pub fn is_not_found(err: &kube::Error) -> bool {
    matches!(err, kube::Error::Api(status) if status.is_not_found())
}
