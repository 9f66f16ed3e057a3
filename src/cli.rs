//! The command line: global flags, the cluster settings, one variant per command.
//!
//! Values are validated here, once, by the value parsers in [`crate::values`]; the rest of the
//! program trusts them.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;

use crate::values::{
    self, DnsLabel, DnsSubdomain, EnvVar, HeapSize, Quantity, parse_duration, parse_env_var,
    parse_heap_size, parse_name, parse_namespace, parse_positive_quantity, parse_subdomain,
    parse_word,
};

/// Deploy and operate an Apache Cassandra ring on Kubernetes.
///
/// casctl renders the headless Service and the StatefulSet of the Kubernetes tutorial
/// "Deploying Cassandra with a StatefulSet", applies them, follows the ordered rollout, shows the
/// ring from `nodetool status`, scales it with decommissioning, and tears it down without ever
/// deleting a volume by accident.
#[derive(Debug, Parser)]
#[command(
    name = "casctl",
    version,
    propagate_version = true,
    max_term_width = 100
)]
#[command(
    after_help = "Exit codes: 0 ok, 1 error, 2 usage, 3 timed out, 4 degraded (status), 130 interrupted."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command takes.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Path to the kubeconfig file [default: $KUBECONFIG, else ~/.kube/config]
    #[arg(long, global = true, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,

    /// The kubeconfig context to use [default: the current context]
    #[arg(long, global = true, value_name = "NAME")]
    pub context: Option<String>,

    /// Namespace [default: the context's namespace, else `default`]
    #[arg(short = 'n', long, global = true, value_name = "NS", value_parser = parse_namespace)]
    pub namespace: Option<DnsLabel>,

    /// Name of the Service, the StatefulSet and the pod prefix
    #[arg(long, global = true, value_name = "NAME", default_value = "cassandra",
          value_parser = parse_name)]
    pub name: DnsLabel,

    /// When to use colors (NO_COLOR and TERM=dumb are honoured in auto mode)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Print only errors, warnings and the data asked for
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Print more about what is being done (repeat for more)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the objects `up` would apply (needs no cluster)
    Render(RenderArgs),
    /// Preflight, apply the Service and the StatefulSet, and follow the rollout to completion
    Up(UpArgs),
    /// Show the Service, the StatefulSet, the pods and the ring, with warnings where they disagree
    Status(StatusArgs),
    /// Grow or shrink the ring; shrinking decommissions the highest ordinals first
    Scale(ScaleArgs),
    /// Tear the ring down, waiting for the pods to be gone; volumes are kept unless purged
    Down(DownArgs),
    /// Run nodetool in a pod; its output and exit code are passed through
    Nodetool(NodetoolArgs),
    /// Restart the pods one at a time: drain, delete, wait until the ring is whole again
    Restart(RestartArgs),
    /// Print a shell completion script
    Completions(CompletionsArgs),
    /// Print the man page (roff)
    #[command(hide = true)]
    Man,
}

/// What goes into the rendered objects. Unset values keep the template's (the tutorial's).
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Settings")]
pub struct Settings {
    /// Number of Cassandra nodes (1..=1000) [template: 3]
    #[arg(long, value_name = "N", allow_negative_numbers = true,
          value_parser = clap::value_parser!(u32).range(1..=values::MAX_REPLICAS as i64))]
    pub replicas: Option<u32>,

    /// Container image [template: gcr.io/google-samples/cassandra:v13]
    #[arg(long, value_name = "IMAGE", value_parser = parse_word)]
    pub image: Option<String>,

    /// CASSANDRA_CLUSTER_NAME [template: K8Demo]
    #[arg(long, value_name = "NAME", value_parser = parse_word)]
    pub cluster_name: Option<String>,

    /// CASSANDRA_DC [template: DC1-K8Demo]
    #[arg(long, value_name = "NAME", value_parser = parse_word)]
    pub dc: Option<String>,

    /// CASSANDRA_RACK [template: Rack1-K8Demo]
    #[arg(long, value_name = "NAME", value_parser = parse_word)]
    pub rack: Option<String>,

    /// CASSANDRA_NUM_TOKENS, vnodes per node (1..=1536) [template: 32]
    #[arg(long, value_name = "N", allow_negative_numbers = true,
          value_parser = clap::value_parser!(u32).range(1..=1536))]
    pub num_tokens: Option<u32>,

    /// CASSANDRA_RPC_ADDRESS [template: 0.0.0.0]
    #[arg(long, value_name = "ADDRESS", value_parser = parse_word)]
    pub rpc_address: Option<String>,

    /// Any other variable the image's run.sh reads, e.g. CASSANDRA_AUTO_BOOTSTRAP=false
    /// (repeatable; overrides the values above)
    #[arg(long = "env", value_name = "KEY=VALUE", value_parser = parse_env_var)]
    pub env: Vec<EnvVar>,

    /// MAX_HEAP_SIZE, a JVM size such as 512M or 4G [template: 512M]
    #[arg(long, value_name = "SIZE", value_parser = parse_heap_size)]
    pub heap_max: Option<HeapSize>,

    /// HEAP_NEWSIZE, a JVM size such as 100M [template: 100M]
    #[arg(long, value_name = "SIZE", value_parser = parse_heap_size)]
    pub heap_new: Option<HeapSize>,

    /// CPU request and limit, e.g. 500m or 2 [template: 500m]
    #[arg(long, value_name = "QUANTITY", value_parser = parse_positive_quantity)]
    pub cpu: Option<Quantity>,

    /// Memory request and limit, e.g. 1Gi or 4Gi [template: 1Gi]
    #[arg(long, value_name = "QUANTITY", value_parser = parse_positive_quantity)]
    pub memory: Option<Quantity>,

    /// StorageClass of the data volumes [template: fast]
    #[arg(long, value_name = "CLASS", value_parser = parse_subdomain)]
    pub storage_class: Option<DnsSubdomain>,

    /// Size of each data volume [template: 1Gi]
    #[arg(long, value_name = "QUANTITY", value_parser = parse_positive_quantity)]
    pub storage_size: Option<Quantity>,

    /// Cluster DNS domain, used in the seed address
    #[arg(long, value_name = "DOMAIN", default_value = "cluster.local",
          value_parser = parse_subdomain)]
    pub cluster_domain: DnsSubdomain,

    /// Directory with your own service.yaml and statefulset.yaml (and optionally
    /// storageclass.yaml) to use as the base instead of the built-in ones
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,

    /// Racks, e.g. r1,r2,r3: one StatefulSet <name>-<rack> each, CASSANDRA_RACK=<rack>, pinned
    /// to a zone each when there are enough [default: one rack, the tutorial's StatefulSet]
    #[arg(long, value_name = "RACK,...", value_delimiter = ',', conflicts_with = "rack",
          value_parser = crate::racks::parse_rack)]
    pub racks: Vec<String>,

    /// Node label whose values are the zones racks are pinned to
    #[arg(long, value_name = "LABEL", default_value = crate::racks::DEFAULT_ZONE_LABEL,
          value_parser = crate::racks::parse_label_key)]
    pub zone_label: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RenderFormat {
    Yaml,
    Json,
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// Also render the tutorial's StorageClass (as `up --create-storage-class` would apply)
    #[arg(long)]
    pub create_storage_class: bool,

    /// Output format
    #[arg(short, long, value_enum, default_value_t = RenderFormat::Yaml)]
    pub output: RenderFormat,

    #[command(flatten)]
    pub settings: Settings,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DryRun {
    /// Print what would be applied; talk to no cluster
    Client,
    /// Send the apply with dry run and report what would change
    Server,
}

#[derive(Debug, Args)]
pub struct UpArgs {
    /// How long to wait for the rollout, e.g. 30s, 5m, 1h
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = parse_duration)]
    pub timeout: Duration,

    /// Apply and return without waiting for the rollout
    #[arg(long)]
    pub no_wait: bool,

    /// Consider the rollout complete without checking the ring with nodetool
    #[arg(long)]
    pub no_ring_check: bool,

    /// Only show what would be applied
    #[arg(long, value_enum, value_name = "MODE", num_args = 0..=1,
          require_equals = true, default_missing_value = "client")]
    pub dry_run: Option<DryRun>,

    /// Create the tutorial's StorageClass (minikube's hostpath provisioner) first
    #[arg(long)]
    pub create_storage_class: bool,

    /// Take over fields that another field manager owns
    #[arg(long)]
    pub force_conflicts: bool,

    /// After the ring grew, do not run `nodetool cleanup` on the nodes that were there before
    #[arg(long)]
    pub no_cleanup: bool,

    /// When another command holds the ring's lock, wait for it instead of refusing
    #[arg(long)]
    pub wait_for_lock: bool,

    #[command(flatten)]
    pub settings: Settings,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusFormat {
    Table,
    Wide,
    Json,
    Yaml,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Output format
    #[arg(short, long, value_enum, default_value_t = StatusFormat::Table)]
    pub output: StatusFormat,

    /// Do not run `nodetool status` in a pod
    #[arg(long)]
    pub no_ring: bool,
}

#[derive(Debug, Args)]
pub struct ScaleArgs {
    /// The number of nodes wanted (at least 1; `casctl down` removes everything)
    #[arg(value_name = "N", allow_negative_numbers = true,
          value_parser = values::parse_scale_target)]
    pub replicas: u32,

    /// How long to wait for the whole change, e.g. 30s, 5m, 1h
    #[arg(long, value_name = "DURATION", default_value = "30m", value_parser = parse_duration)]
    pub timeout: Duration,

    /// Shrink without `nodetool decommission` (the removed nodes stay DN in the ring)
    #[arg(long)]
    pub skip_decommission: bool,

    /// Scale down even when some ring node is not Up/Normal, or below a keyspace's
    /// replication factor (then with `nodetool decommission --force`)
    #[arg(long)]
    pub force: bool,

    /// After the ring grew, do not run `nodetool cleanup` on the nodes that were there before
    #[arg(long)]
    pub no_cleanup: bool,

    /// Consider scale-up complete without checking the ring with nodetool
    #[arg(long)]
    pub no_ring_check: bool,

    /// When another command holds the ring's lock, wait for it instead of refusing
    #[arg(long)]
    pub wait_for_lock: bool,
}

#[derive(Debug, Args)]
pub struct DownArgs {
    /// Also delete the data volumes (PersistentVolumeClaims) once every pod is gone
    #[arg(long)]
    pub purge_volumes: bool,

    /// Do not ask for confirmation before purging volumes
    #[arg(short, long)]
    pub yes: bool,

    /// How long to wait for the pods to terminate [default: the grace period plus a margin]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<Duration>,

    /// When another command holds the ring's lock, wait for it instead of refusing
    #[arg(long)]
    pub wait_for_lock: bool,
}

#[derive(Debug, Args)]
pub struct NodetoolArgs {
    /// Pod to run in [default: the first Ready pod, <name>-0 preferred]
    #[arg(long, value_name = "POD")]
    pub pod: Option<String>,

    /// How long nodetool may run, e.g. 30s, 5m
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = parse_duration)]
    pub timeout: Duration,

    /// Arguments for nodetool, after `--`, e.g. `casctl nodetool -- status`
    #[arg(last = true, required = true, value_name = "ARGS")]
    pub args: Vec<String>,
}

#[derive(Debug, Args)]
pub struct RestartArgs {
    /// Restart only the pods of this rack
    #[arg(long, value_name = "RACK", conflicts_with = "pod")]
    pub rack: Option<String>,

    /// Restart only this pod
    #[arg(long, value_name = "POD")]
    pub pod: Option<String>,

    /// How long the whole restart may take, e.g. 30m, 1h
    #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = parse_duration)]
    pub timeout: Duration,

    /// Restart even when some ring node is not Up/Normal (each step then waits only for the
    /// restarted node)
    #[arg(long)]
    pub force: bool,

    /// When another command holds the ring's lock, wait for it instead of refusing
    #[arg(long)]
    pub wait_for_lock: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    pub shell: Shell,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn dry_run_without_value_means_client() {
        let cli = Cli::try_parse_from(["casctl", "up", "--dry-run"]).unwrap();
        let Command::Up(up) = cli.command else {
            panic!("expected up")
        };
        assert_eq!(up.dry_run, Some(DryRun::Client));
    }

    #[test]
    fn global_flags_work_after_the_command() {
        let cli =
            Cli::try_parse_from(["casctl", "status", "-n", "shop", "--name", "ring"]).unwrap();
        assert_eq!(cli.global.namespace.unwrap().as_str(), "shop");
        assert_eq!(cli.global.name.as_str(), "ring");
    }
}
