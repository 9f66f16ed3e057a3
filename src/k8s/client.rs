//! The client: which kubeconfig, which context, which namespace; and errors that name them.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};
use kube::config::{KubeConfigOptions, Kubeconfig};

use crate::cli::GlobalArgs;
use crate::error::UserError;
use crate::values::DnsLabel;

/// How long a connection attempt may take before the API server counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Where the kubeconfig came from, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
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
pub struct Resolved {
    pub context: String,
    pub server: String,
    pub namespace: DnsLabel,
}

/// Picks the context (the flag's, else the current one) and the namespace (the flag's, else
/// the context's, else `default`).
pub fn resolve(
    kubeconfig: &Kubeconfig,
    source: &Source,
    context: Option<&str>,
    namespace: Option<&DnsLabel>,
) -> Result<Resolved> {
    let names: Vec<&str> = kubeconfig
        .contexts
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    let listed = || match names.is_empty() {
        true => "it has no contexts".to_owned(),
        false => format!("contexts there: {}", names.join(", ")),
    };
    let wanted = match context.or(kubeconfig.current_context.as_deref()) {
        Some(name) => name,
        None => {
            return Err(
                UserError::new(format!("the kubeconfig {source} has no current context"))
                    .hint(format!("pass --context NAME ({})", listed()))
                    .into(),
            );
        }
    };
    let Some(named) = kubeconfig.contexts.iter().find(|c| c.name == wanted) else {
        return Err(UserError::new(format!(
            "context \"{wanted}\" is not in the kubeconfig {source}"
        ))
        .hint(format!("pass --context NAME ({})", listed()))
        .into());
    };
    let ctx = named.context.as_ref();
    let server = ctx
        .and_then(|c| kubeconfig.clusters.iter().find(|cl| cl.name == c.cluster))
        .and_then(|cl| cl.cluster.as_ref())
        .and_then(|cl| cl.server.clone())
        .unwrap_or_else(|| "(no server)".to_owned());
    let namespace = match (namespace, ctx.and_then(|c| c.namespace.as_deref())) {
        (Some(ns), _) => ns.clone(),
        (None, Some(ns)) => DnsLabel::new(ns).map_err(|e| {
            UserError::new(format!(
                "the namespace \"{ns}\" of context \"{wanted}\" {e}"
            ))
            .hint("pass -n NAMESPACE")
        })?,
        (None, None) => DnsLabel::new("default").map_err(anyhow::Error::msg)?,
    };
    Ok(Resolved {
        context: wanted.to_owned(),
        server,
        namespace,
    })
}

/// Reads the kubeconfig the flags name: `--kubeconfig`, else `$KUBECONFIG`, else
/// `~/.kube/config`; `None` when none exists (then the in-cluster account is tried).
pub fn read_kubeconfig(flag: Option<&PathBuf>) -> Result<Option<(Kubeconfig, Source)>> {
    let unreadable = |source: &Source| {
        UserError::new(format!("cannot read the kubeconfig {source}"))
            .hint("pass --kubeconfig PATH, set KUBECONFIG, or fix the file")
    };
    if let Some(path) = flag {
        let source = Source::Flag(path.clone());
        let config = Kubeconfig::read_from(path).with_context(|| unreadable(&source))?;
        return Ok(Some((config, source)));
    }
    if let Some(value) = std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty()) {
        let source = Source::Env(value.to_string_lossy().into_owned());
        let config = Kubeconfig::from_env()
            .with_context(|| unreadable(&source))?
            .unwrap_or_default();
        return Ok(Some((config, source)));
    }
    let default = std::env::home_dir().map(|home| home.join(".kube").join("config"));
    match default {
        Some(path) if path.exists() => {
            let source = Source::Default(path.clone());
            let config = Kubeconfig::read_from(&path).with_context(|| unreadable(&source))?;
            Ok(Some((config, source)))
        }
        _ => Ok(None),
    }
}

/// A client for the cluster the flags name, with where it points.
pub async fn connect(global: &GlobalArgs) -> Result<(kube::Client, Resolved, Source)> {
    let (mut config, resolved, source) = match read_kubeconfig(global.kubeconfig.as_ref())? {
        Some((kubeconfig, source)) => {
            let resolved = resolve(
                &kubeconfig,
                &source,
                global.context.as_deref(),
                global.namespace.as_ref(),
            )?;
            let options = KubeConfigOptions {
                context: Some(resolved.context.clone()),
                ..Default::default()
            };
            let config = kube::Config::from_custom_kubeconfig(kubeconfig, &options)
                .await
                .with_context(|| {
                    UserError::new(format!(
                        "cannot use context \"{}\" of the kubeconfig {source}",
                        resolved.context
                    ))
                })?;
            (config, resolved, source)
        }
        None => {
            let config = kube::Config::incluster()
                .map_err(anyhow::Error::new)
                .context(
                    UserError::new("no kubeconfig found (~/.kube/config does not exist)")
                        .hint("pass --kubeconfig PATH or set KUBECONFIG"),
                )?;
            let namespace = match &global.namespace {
                Some(ns) => ns.clone(),
                None => DnsLabel::new(&config.default_namespace).map_err(anyhow::Error::msg)?,
            };
            let resolved = Resolved {
                context: "in-cluster".to_owned(),
                server: config.cluster_url.to_string(),
                namespace,
            };
            (config, resolved, Source::InCluster)
        }
    };
    config.connect_timeout = Some(CONNECT_TIMEOUT);
    // Lets audit logs and API server metrics tell casctl's requests apart.
    config.headers.push((
        http::header::USER_AGENT,
        http::HeaderValue::from_static(concat!("casctl/", env!("CARGO_PKG_VERSION"))),
    ));
    let client = kube::Client::try_from(config).context("building the Kubernetes client")?;
    Ok((client, resolved, source))
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
    fn current_context_and_default_namespace() {
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
        let (_, hint) = crate::error::classify(&err);
        assert!(
            err.to_string()
                .contains("\"staging\" is not in the kubeconfig /tmp/kc")
        );
        assert_eq!(
            hint,
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
