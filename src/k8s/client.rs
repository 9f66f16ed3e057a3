//! The client: which kubeconfig, which context, which namespace; and errors that name them.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use kube::config::{KubeConfigOptions, Kubeconfig};

use crate::error::Error;
use crate::values::DnsLabel;

/// Which cluster and namespace: the global flags, as plain values.
#[derive(Debug, Clone, Default)]
pub(crate) struct ClientOptions {
    pub(crate) kubeconfig: Option<PathBuf>,
    pub(crate) context: Option<String>,
    pub(crate) namespace: Option<DnsLabel>,
}

/// How long a connection attempt may take before the API server counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Where the kubeconfig came from, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    Flag(PathBuf),
    Env(String),
    Default(PathBuf),
    InCluster,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Flag(p) | Source::Default(p) => write!(f, "{}", p.display()),
            Source::Env(v) => write!(f, "{v} (from $KUBECONFIG)"),
            Source::InCluster => f.write_str("the in-cluster service account"),
        }
    }
}

/// What the kubeconfig and the flags resolve to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resolved {
    pub(crate) context: String,
    pub(crate) server: String,
    pub(crate) namespace: DnsLabel,
    /// The credential plugin the context's user runs (`users[].user.exec.command`), if any.
    pub(crate) exec_command: Option<String>,
}

/// Picks the context (the flag's, else the current one) and the namespace (the flag's, else
/// the context's, else `default`).
pub(crate) fn resolve(
    kubeconfig: &Kubeconfig,
    source: &Source,
    context: Option<&str>,
    namespace: Option<&DnsLabel>,
) -> Result<Resolved, Error> {
    let names: Vec<&str> = kubeconfig
        .contexts
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    let config_error = |message: String| {
        Error::Config {
        hint: match names.is_empty() {
            true => "add one with `kubectl config set-cluster`, `kubectl config set-credentials` and \
                     `kubectl config set-context` (or your cloud's get-credentials command), or pass \
                     --kubeconfig PATH"
                .to_owned(),
            false => format!("pass --context NAME (contexts there: {})", names.join(", ")),
        },
        message,
    }
    };
    let Some(wanted) = context.or(kubeconfig.current_context.as_deref()) else {
        return Err(config_error(match names.is_empty() {
            true => format!("the kubeconfig {source} has no contexts"),
            false => format!("the kubeconfig {source} has no current context"),
        }));
    };
    let Some(named) = kubeconfig.contexts.iter().find(|c| c.name == wanted) else {
        return Err(config_error(format!(
            "context \"{wanted}\" is not in the kubeconfig {source}"
        )));
    };
    let ctx = named.context.as_ref();
    let server = ctx
        .and_then(|c| kubeconfig.clusters.iter().find(|cl| cl.name == c.cluster))
        .and_then(|cl| cl.cluster.as_ref())
        .and_then(|cl| cl.server.clone())
        .unwrap_or_else(|| "(no server)".to_owned());
    let namespace = match (namespace, ctx.and_then(|c| c.namespace.as_deref())) {
        (Some(ns), _) => ns.clone(),
        (None, Some(ns)) => DnsLabel::new(ns).map_err(|e| Error::Config {
            message: format!("the namespace \"{ns}\" of context \"{wanted}\" {e}"),
            hint: "pass -n NAMESPACE".to_owned(),
        })?,
        (None, None) => DnsLabel::default_namespace(),
    };
    let exec_command = ctx
        .and_then(|c| c.user.as_deref())
        .and_then(|user| kubeconfig.auth_infos.iter().find(|a| a.name == user))
        .and_then(|a| a.auth_info.as_ref()?.exec.as_ref()?.command.clone());
    Ok(Resolved {
        context: wanted.to_owned(),
        server,
        namespace,
        exec_command,
    })
}

/// Reads the kubeconfig the flags name: `--kubeconfig`, else `$KUBECONFIG` (a list of files,
/// merged as kubectl merges them, the missing ones skipped), else `~/.kube/config`; `None` when
/// none exists (then the in-cluster account is tried).
pub(crate) fn read_kubeconfig(flag: Option<&PathBuf>) -> Result<Option<(Kubeconfig, Source)>> {
    if let Some(path) = flag {
        let source = Source::Flag(path.clone());
        return Ok(Some((read_file(path, &source)?, source)));
    }
    if let Some(value) = std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty()) {
        let source = Source::Env(value.to_string_lossy().into_owned());
        return read_list(&value, source).map(Some);
    }
    let default = std::env::home_dir().map(|home| home.join(".kube").join("config"));
    match default {
        Some(path) if path.exists() => {
            let source = Source::Default(path.clone());
            Ok(Some((read_file(&path, &source)?, source)))
        }
        _ => Ok(None),
    }
}

fn read_file(path: &std::path::Path, source: &Source) -> Result<Kubeconfig> {
    Kubeconfig::read_from(path).map_err(|err| {
        Error::Config {
            message: format!(
                "cannot read the kubeconfig {source}: {}",
                kubeconfig_cause(&err, &path.display().to_string())
            ),
            hint: "pass --kubeconfig PATH, set KUBECONFIG, or fix the file".to_owned(),
        }
        .into()
    })
}

/// `KUBECONFIG=a:b:c`: every file that exists, merged in order (the first one's values win).
fn read_list(value: &std::ffi::OsStr, source: Source) -> Result<(Kubeconfig, Source)> {
    let mut merged: Option<Kubeconfig> = None;
    for path in std::env::split_paths(value).filter(|p| !p.as_os_str().is_empty()) {
        if !path.exists() {
            continue;
        }
        let next = read_file(&path, &Source::Flag(path.clone()))?;
        merged = Some(match merged {
            None => next,
            Some(config) => config.merge(next).map_err(|err| Error::Config {
                message: format!(
                    "cannot merge the kubeconfig files of {source}: {}",
                    kubeconfig_cause(&err, &source.to_string())
                ),
                hint: "fix the files, or pass --kubeconfig PATH".to_owned(),
            })?,
        });
    }
    let config = merged.ok_or_else(|| Error::Config {
        message: format!("none of the kubeconfig files in {source} exists"),
        hint: "pass --kubeconfig PATH, or point KUBECONFIG at an existing file".to_owned(),
    })?;
    Ok((config, source))
}

/// The innermost reason a kubeconfig could not be read, once (kube repeats its source's text
/// and prints paths with their quotes).
fn kubeconfig_cause(err: &kube::config::KubeconfigError, file: &str) -> String {
    if let kube::config::KubeconfigError::Parse(yaml) = err {
        return crate::fmt::yaml_error(file, yaml);
    }
    let mut innermost: &(dyn std::error::Error + 'static) = err;
    while let Some(next) = innermost.source() {
        innermost = next;
    }
    match innermost.downcast_ref::<serde_saphyr::Error>() {
        Some(yaml) => crate::fmt::yaml_error(file, yaml),
        None => innermost.to_string(),
    }
}

/// A client for the cluster the flags name, with where it points.
pub(crate) async fn connect(
    options: &ClientOptions,
    observer: super::observe::Observer,
) -> Result<(kube::Client, Resolved, Source)> {
    let (mut config, resolved, source) = match read_kubeconfig(options.kubeconfig.as_ref())? {
        Some((kubeconfig, source)) => {
            let resolved = resolve(
                &kubeconfig,
                &source,
                options.context.as_deref(),
                options.namespace.as_ref(),
            )?;
            let chosen = KubeConfigOptions {
                context: Some(resolved.context.clone()),
                ..Default::default()
            };
            let config = kube::Config::from_custom_kubeconfig(kubeconfig, &chosen)
                .await
                .map_err(|err| Error::Config {
                    message: format!(
                        "cannot use context \"{}\" of the kubeconfig {source}: {}",
                        resolved.context,
                        kubeconfig_cause(&err, &source.to_string())
                    ),
                    hint:
                        "fix the context's cluster and user entries, or pick another with --context"
                            .to_owned(),
                })?;
            (config, resolved, source)
        }
        None => in_cluster(options)?,
    };
    config.connect_timeout = Some(CONNECT_TIMEOUT);
    // Lets audit logs and API server metrics tell casctl's requests apart.
    config.headers.push((
        http::header::USER_AGENT,
        http::HeaderValue::from_static(concat!("casctl/", env!("CARGO_PKG_VERSION"))),
    ));
    let client = build(config, observer).map_err(|err| match super::classify(&err) {
        super::Failure::CredentialPlugin => {
            super::credentials_failed(&err, &resolved.context, resolved.exec_command.as_deref())
                .into()
        }
        _ => anyhow::Error::msg(super::describe(&err)).context("building the Kubernetes client"),
    })?;
    Ok((client, resolved, source))
}

/// The response of the connection stack built here.
type Stack = tower::util::BoxService<
    http::Request<kube::client::Body>,
    http::Response<hyper::body::Incoming>,
    tower::BoxError,
>;

/// The client, with `TCP_NODELAY` on its connections where it can be built from kube's public
/// parts: without it, a small request written in two segments waits for the server's delayed
/// acknowledgement (about 40 ms on Linux) — on every new connection and many requests
/// (kube-rs/kube#2056; kubectl's Go sockets have it on). Proxies and exec credential plugins
/// keep kube's own builder, which alone handles them fully (a plugin's client certificate
/// expiry).
fn build(
    config: kube::Config,
    observer: super::observe::Observer,
) -> Result<kube::Client, kube::Error> {
    let observed = super::observe::Layer(observer);
    if config.proxy_url.is_some() || config.auth_info.exec.is_some() {
        return Ok(kube::client::ClientBuilder::try_from(config)?
            .with_layer(&observed)
            .build());
    }
    let default_namespace = config.default_namespace.clone();
    let stack = nodelay_stack(&config)?;
    Ok(kube::client::ClientBuilder::new(stack, default_namespace)
        .with_layer(&observed)
        .build())
}

/// kube's connection stack (TLS, timeouts, base URI, retries of 5xx, credentials, headers)
/// over a connector with `TCP_NODELAY`.
fn nodelay_stack(config: &kube::Config) -> Result<Stack, kube::Error> {
    use kube::client::ConfigExt;
    use tower::ServiceBuilder;

    let mut http = hyper_util::client::legacy::connect::HttpConnector::new();
    http.enforce_http(false);
    http.set_nodelay(true);
    let https = config.rustls_https_connector_with_connector(http)?;
    let mut connector = hyper_timeout::TimeoutConnector::new(https);
    connector.set_connect_timeout(config.connect_timeout);
    connector.set_read_timeout(config.read_timeout);
    connector.set_write_timeout(config.write_timeout);
    let client = hyper_util::client::legacy::Builder::new(hyper_util::rt::TokioExecutor::new())
        .build(connector);
    let retry = config
        .default_retry
        .then(|| tower::retry::RetryLayer::new(kube::client::retry::RetryPolicy::server_retry()));
    let service = ServiceBuilder::new()
        .layer(config.base_uri_layer())
        .option_layer(retry)
        .option_layer(config.auth_layer()?)
        .layer(config.extra_headers_layer()?)
        .map_err(tower::BoxError::from)
        .service(client);
    Ok(tower::util::BoxService::new(service))
}

/// No kubeconfig: the pod's service account, when casctl runs inside the cluster.
fn in_cluster(options: &ClientOptions) -> Result<(kube::Config, Resolved, Source)> {
    let config = kube::Config::incluster().map_err(|_| Error::Config {
        message: "no kubeconfig found (~/.kube/config does not exist) and not running in a cluster"
            .to_owned(),
        hint: "pass --kubeconfig PATH or set KUBECONFIG".to_owned(),
    })?;
    let namespace = match &options.namespace {
        Some(ns) => ns.clone(),
        None => DnsLabel::new(&config.default_namespace)
            .unwrap_or_else(|_| DnsLabel::default_namespace()),
    };
    let resolved = Resolved {
        context: "in-cluster".to_owned(),
        server: config.cluster_url.to_string(),
        namespace,
        exec_command: None,
    };
    Ok((config, resolved, Source::InCluster))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KUBECONFIG: &str = r#"
apiVersion: v1
kind: Config
current-context: dev
clusters:
  - name: dev-cluster
    cluster:
      server: https://127.0.0.1:6443
  - name: prod-cluster
    cluster:
      server: https://prod.example:6443
contexts:
  - name: dev
    context:
      cluster: dev-cluster
      user: me
  - name: prod
    context:
      cluster: prod-cluster
      user: me
      namespace: shop
users:
  - name: me
    user:
      token: abc
"#;

    fn kubeconfig() -> Kubeconfig {
        Kubeconfig::from_yaml(KUBECONFIG).unwrap()
    }

    fn source() -> Source {
        Source::Flag("/tmp/kc".into())
    }

    #[test]
    fn current_context_and_its_namespace() {
        let r = resolve(&kubeconfig(), &source(), None, None).unwrap();
        assert_eq!(r.context, "dev");
        assert_eq!(r.server, "https://127.0.0.1:6443");
        assert_eq!(r.namespace.as_str(), "default");
    }

    #[test]
    fn a_chosen_context_brings_its_namespace() {
        let r = resolve(&kubeconfig(), &source(), Some("prod"), None).unwrap();
        assert_eq!(r.server, "https://prod.example:6443");
        assert_eq!(r.namespace.as_str(), "shop");
    }

    #[test]
    fn the_namespace_flag_wins() {
        let ns = DnsLabel::new("other").unwrap();
        let r = resolve(&kubeconfig(), &source(), Some("prod"), Some(&ns)).unwrap();
        assert_eq!(r.namespace.as_str(), "other");
    }

    #[test]
    fn an_unknown_context_lists_the_contexts() {
        let err = resolve(&kubeconfig(), &source(), Some("staging"), None).unwrap_err();
        assert!(
            err.to_string()
                .contains("\"staging\" is not in the kubeconfig /tmp/kc")
        );
        assert_eq!(
            err.hint().as_deref(),
            Some("pass --context NAME (contexts there: dev, prod)")
        );
    }

    #[test]
    fn no_current_context_is_explained() {
        let mut kc = kubeconfig();
        kc.current_context = None;
        let err = resolve(&kc, &source(), None, None).unwrap_err();
        assert!(err.to_string().contains("has no current context"));
    }
}
