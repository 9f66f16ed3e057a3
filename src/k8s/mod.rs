//! The only code that talks to the Kubernetes API: the client, the permission reviews, reads,
//! server-side apply, the scale patch, deletes, exec, the ring through exec, the lock, and the
//! driver of the wait engine. It prints nothing: what the user sees goes out as typed progress
//! and errors.

pub(crate) mod access;
pub(crate) mod apply;
pub(crate) mod claims;
pub(crate) mod client;
pub(crate) mod delete;
pub(crate) mod exec;
pub(crate) mod lock;
pub(crate) mod objects;
pub(crate) mod observe;
pub(crate) mod racks;
pub(crate) mod ring;
pub(crate) mod wait;

use k8s_openapi::NamespaceResourceScope;
use kube::Api;
use serde::de::DeserializeOwned;

use crate::error::Error;
use crate::values::DnsLabel;
pub(crate) use client::{ClientOptions, Resolved, Source};

/// The field manager of every write casctl makes.
pub(crate) const FIELD_MANAGER: &str = "casctl";

/// A connected client and what the flags resolved to: the one thing every online command
/// receives.
#[derive(Clone)]
pub(crate) struct Cluster {
    pub(crate) client: kube::Client,
    pub(crate) resolved: Resolved,
    pub(crate) source: Source,
    /// The ring's name: the Service, the StatefulSet and the pod prefix.
    pub(crate) name: DnsLabel,
}

impl Cluster {
    /// Builds the client. This does not contact the API server yet.
    pub(crate) async fn connect(
        options: &ClientOptions,
        name: DnsLabel,
        observer: observe::Observer,
    ) -> anyhow::Result<Self> {
        let (client, resolved, source) = client::connect(options, observer).await?;
        Ok(Cluster {
            client,
            resolved,
            source,
            name,
        })
    }

    pub(crate) fn namespace(&self) -> &str {
        self.resolved.namespace.as_str()
    }

    /// The API of a namespaced kind in the target namespace.
    pub(crate) fn api<K>(&self) -> Api<K>
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
    /// permission, rejected credentials, or the API server's own message. `verb` and
    /// `resource` say what was being done (`"patch"`, `"statefulsets"`). Never the client's
    /// debug output.
    pub(crate) fn fail(&self, err: kube::Error, verb: &str, resource: &str) -> anyhow::Error {
        let namespace = self.namespace().to_owned();
        let context = self.resolved.context.clone();
        let error = match classify(&err) {
            Failure::Forbidden => Error::Forbidden {
                verb: verb.to_owned(),
                resource: resource.to_owned(),
                namespace,
                context,
            },
            Failure::Unauthorized => Error::Credentials {
                context,
                kubeconfig: self.source.to_string(),
            },
            Failure::CredentialPlugin => {
                credentials_failed(&err, &context, self.resolved.exec_command.as_deref())
            }
            Failure::Unreachable => Error::Unreachable {
                server: self.resolved.server.clone(),
                context,
                kubeconfig: self.source.to_string(),
            },
            Failure::Other => Error::Api {
                action: format!("{verb} {resource} in namespace {namespace}"),
                message: describe(&err),
            },
        };
        error.into()
    }
}

/// What kind of failure a client error is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    Forbidden,
    Unauthorized,
    /// The kubeconfig's credential plugin (`exec`) could not run or failed.
    CredentialPlugin,
    /// The request never got an answer (the API server is down or unreachable).
    Unreachable,
    Other,
}

pub(crate) fn classify(err: &kube::Error) -> Failure {
    use http::StatusCode;
    use kube::client::UpgradeConnectionError::ProtocolSwitch;
    if caused_by_auth(err) {
        return Failure::CredentialPlugin;
    }
    match err {
        kube::Error::Api(s) if s.is_forbidden() => Failure::Forbidden,
        kube::Error::Api(s) if s.code == 401 => Failure::Unauthorized,
        kube::Error::UpgradeConnection(ProtocolSwitch(StatusCode::FORBIDDEN)) => Failure::Forbidden,
        kube::Error::UpgradeConnection(ProtocolSwitch(StatusCode::UNAUTHORIZED)) => {
            Failure::Unauthorized
        }
        kube::Error::HyperError(_) | kube::Error::Service(_) | kube::Error::RustlsTls(_) => {
            Failure::Unreachable
        }
        _ => Failure::Other,
    }
}

/// The kubeconfig's credentials could not be had: the plugin is missing, or it ran and failed
/// (its own words, not the client's dump of its output).
pub(crate) fn credentials_failed(err: &kube::Error, context: &str, plugin: Option<&str>) -> Error {
    use kube::client::AuthError;
    let auth = std::iter::successors(Some(err as &(dyn std::error::Error + 'static)), |e| {
        e.source()
    })
    .find_map(|e| e.downcast_ref::<AuthError>());
    let plugin_name = plugin.unwrap_or("the credential plugin");
    let (message, hint) = match auth {
        Some(AuthError::AuthExecStart(io)) if io.kind() == std::io::ErrorKind::NotFound => (
            format!(
                "the credential plugin `{plugin_name}` of context \"{context}\" is not installed"
            ),
            format!(
                "install `{plugin_name}` (the command the kubeconfig's user runs to get credentials) and put it on PATH, \
                 or pick another context with --context"
            ),
        ),
        Some(AuthError::AuthExecParse(yaml)) => (
            format!(
                "the credential plugin `{plugin_name}` of context \"{context}\" printed no credentials: {}",
                crate::fmt::yaml_error("its output", yaml)
            ),
            format!(
                "run `{plugin_name}` yourself: it must print an ExecCredential (JSON) on stdout; fix the user's \
                 exec entry in the kubeconfig, or pick another context with --context"
            ),
        ),
        Some(AuthError::AuthExecRun { out, .. }) => (
            format!(
                "the credential plugin `{plugin_name}` of context \"{context}\" failed ({}): {}",
                out.status,
                first_line(&String::from_utf8_lossy(&out.stderr))
            ),
            format!(
                "run `{plugin_name}` yourself to see why (often: log in again), or pick another context with --context"
            ),
        ),
        _ => (
            format!(
                "the credentials of context \"{context}\" cannot be used: {}",
                auth.map_or_else(|| describe(err), ToString::to_string)
            ),
            "fix the user's entry in the kubeconfig, or pick another context with --context"
                .to_owned(),
        ),
    };
    Error::Config { message, hint }
}

/// The first line a program printed: where it says what went wrong.
fn first_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("it printed nothing")
        .to_owned()
}

/// Whether the client's authentication layer (a credential plugin, a token file) failed.
fn caused_by_auth(err: &kube::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if e.downcast_ref::<kube::client::AuthError>().is_some() {
            return true;
        }
        source = e.source();
    }
    false
}

/// A client error in one clean line: the API server's message, else the error's own text
/// (kube's `Display` of an API error includes its `Debug` form, which users never see).
pub(crate) fn describe(err: &kube::Error) -> String {
    match err {
        kube::Error::Api(status) if !status.message.is_empty() => status.message.clone(),
        kube::Error::Api(status) => format!("{} ({})", status.reason, status.code),
        other => {
            let mut text = other.to_string();
            let mut source = std::error::Error::source(other);
            while let Some(cause) = source {
                let line = cause.to_string();
                if !text.contains(&line) {
                    text.push_str(": ");
                    text.push_str(&line);
                }
                source = cause.source();
            }
            text
        }
    }
}

/// Whether an error is the API's "not found".
pub(crate) fn is_not_found(err: &kube::Error) -> bool {
    matches!(err, kube::Error::Api(status) if status.is_not_found())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api_error(code: u16, reason: &str, message: &str) -> kube::Error {
        kube::Error::Api(Box::new(
            kube::core::Status::failure(message, reason).with_code(code),
        ))
    }

    #[test]
    fn api_errors_read_as_the_servers_message() {
        let err = api_error(
            403,
            "Forbidden",
            "pods is forbidden: User \"bob\" cannot list resource \"pods\"",
        );
        assert_eq!(classify(&err), Failure::Forbidden);
        let text = describe(&err);
        assert_eq!(
            text,
            "pods is forbidden: User \"bob\" cannot list resource \"pods\""
        );
        assert!(!text.contains("Status {") && !text.contains("Some("));
    }

    #[test]
    fn an_empty_message_falls_back_to_reason_and_code() {
        let err = api_error(422, "Invalid", "");
        assert_eq!(describe(&err), "Invalid (422)");
        assert_eq!(classify(&err), Failure::Other);
    }
}
