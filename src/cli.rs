//! The command line: global flags, the cluster settings, one variant per command.
//!
//! Values are validated here, once, by the value parsers in [`crate::values`]; the rest of the
//! program trusts them. Every option that takes a value takes the next argument as it, even one
//! starting with '-' (as kubectl does), so that a value like `-1Gi` is refused by its own rule,
//! naming the flag, instead of being taken for an unknown flag.
//!
//! The same binary is the kubectl plugin `kubectl casctl` when its file is named
//! `kubectl-casctl`: see [`Invocation`].

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::builder::StyledStr;
use clap::builder::styling::Style;
use clap::error::ErrorKind;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;

use crate::values::{
    DnsLabel, DnsSubdomain, EnvVar, HeapSize, Quantity, StorageClassChoice, parse_duration,
    parse_env_var, parse_heap_size, parse_image, parse_ip_address, parse_name, parse_namespace,
    parse_num_tokens, parse_pod_name, parse_positive_quantity, parse_replicas, parse_scale_target,
    parse_storage_class, parse_subdomain, parse_word,
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
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// How the binary was started: as `casctl`, or as the kubectl plugin (`kubectl casctl …`, which
/// kubectl runs as the file `kubectl-casctl` found on the PATH).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invocation {
    Casctl,
    KubectlPlugin,
}

impl Invocation {
    /// The file name kubectl looks for to run `kubectl casctl`.
    pub const PLUGIN_FILE: &str = "kubectl-casctl";

    /// Decides from the program's path (the first argument of the command line).
    pub fn of_program(program: &OsStr) -> Invocation {
        let file = Path::new(program).file_name().unwrap_or_default();
        let plugin = file == Self::PLUGIN_FILE || file == "kubectl-casctl.exe";
        match plugin {
            true => Invocation::KubectlPlugin,
            false => Invocation::Casctl,
        }
    }

    /// How the user types the command: what usage lines, help and examples show.
    pub fn command_line(self) -> &'static str {
        match self {
            Invocation::Casctl => "casctl",
            Invocation::KubectlPlugin => "kubectl casctl",
        }
    }
}

/// Parses a command line, the program's path first. `--help`, `--version` and usage errors
/// print and exit as clap does (exit 2 for a usage error).
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Cli {
    let args: Vec<OsString> = args.into_iter().collect();
    let invocation = args.first().map_or(Invocation::Casctl, |program| {
        Invocation::of_program(program)
    });
    // Every message that names a command names it as the user typed it.
    crate::fmt::set_program(invocation.command_line());
    try_parse(args).unwrap_or_else(|err| err.exit())
}

/// [`parse`], returning clap's error (or help) instead of exiting.
pub fn try_parse(args: impl IntoIterator<Item = OsString>) -> Result<Cli, clap::Error> {
    let args: Vec<OsString> = args.into_iter().collect();
    let invocation = args.first().map_or(Invocation::Casctl, |program| {
        Invocation::of_program(program)
    });
    let mut command = command(invocation);
    let mut matches = command.try_get_matches_from_mut(args)?;
    let cli = Cli::from_arg_matches_mut(&mut matches).map_err(|err| err.format(&mut command))?;
    match conflicting_flags(&cli) {
        Some((subcommand, message)) => Err(subcommand_error(&mut command, subcommand, message)),
        None => Ok(cli),
    }
}

/// The clap command as `invocation` names it, with every command's examples.
pub fn command(invocation: Invocation) -> clap::Command {
    let mut command = Cli::command().bin_name(invocation.command_line());
    if invocation == Invocation::KubectlPlugin {
        command = name_commands_in_help(command, invocation.command_line());
    }
    let header = *command.get_styles().get_header();
    for (subcommand, examples) in EXAMPLES {
        command = command.mut_subcommand(subcommand, |sub| {
            sub.after_help(examples_help(examples, invocation, header))
        });
    }
    let mut after_help = examples_help(ROOT_EXAMPLES, invocation, header);
    after_help.push_str(&format!(
        "\n\nAs a kubectl plugin: link this binary as {plugin} on the PATH, then run \
         `kubectl casctl …`.\n\n\
         Exit codes: 0 ok, 1 error, 2 usage, 3 timed out, 4 degraded (status), 130 interrupted.",
        plugin = Invocation::PLUGIN_FILE
    ));
    command.after_help(after_help)
}

/// The help of every command and option with the casctl commands it names (`casctl down`) as
/// `program` names them.
fn name_commands_in_help(command: clap::Command, program: &str) -> clap::Command {
    let rename = |text: &StyledStr| -> Option<String> {
        let plain = text.to_string();
        let named = crate::fmt::named_as(&plain, program);
        (named != plain).then(|| named.into_owned())
    };
    let names: Vec<String> = command
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    let mut command = command;
    for name in names {
        command = command.mut_subcommand(&name, |mut sub| {
            let args: Vec<(String, Option<String>, Option<String>)> = sub
                .get_arguments()
                .map(|a| {
                    (
                        a.get_id().to_string(),
                        a.get_help().and_then(rename),
                        a.get_long_help().and_then(rename),
                    )
                })
                .collect();
            for (id, help, long) in args {
                if let Some(help) = help {
                    sub = sub.mut_arg(&id, |a| a.help(help));
                }
                if let Some(long) = long {
                    sub = sub.mut_arg(&id, |a| a.long_help(long));
                }
            }
            sub
        });
    }
    command
}

/// What `casctl --help` shows, without the program name.
const ROOT_EXAMPLES: &[&str] = &[
    "up -n shop --replicas 3 --storage-class standard",
    "status -n shop",
    "scale 4 -n shop",
    "down -n shop",
];

/// Each command's examples (the README's), without the program name.
const EXAMPLES: &[(&str, &[&str])] = &[
    (
        "render",
        &[
            "render -n shop --replicas 5 | kubectl apply --dry-run=client -f -",
            "render --storage-class '' -o json   # claims that bind only volumes with no class",
        ],
    ),
    (
        "up",
        &[
            "up -n shop --replicas 3 --storage-class standard",
            "up -n shop --dry-run=server   # what would be created or changed, field by field",
            "up -n shop --racks a,b,c --replicas 6   # a StatefulSet per rack, one zone each",
        ],
    ),
    ("status", &["status -n shop", "status -n shop -o json"]),
    (
        "scale",
        &[
            "scale 4 -n shop   # grow: set replicas, wait until 4 pods are Ready and 4 nodes UN",
            "scale 3 -n shop   # shrink: decommission shop/cassandra-3, then remove its pod",
        ],
    ),
    (
        "down",
        &[
            "down -n shop                          # keep the data volumes",
            "down -n shop --purge-volumes --yes    # and delete them",
        ],
    ),
    (
        "nodetool",
        &[
            "nodetool -n shop -- status",
            "nodetool -n shop --pod cassandra-2 -- info",
        ],
    ),
    (
        "restart",
        &[
            "restart -n shop                    # every pod, one at a time, the ring whole between",
            "restart -n shop --rack b           # only rack b's pods",
            "restart -n shop --pod cassandra-2",
        ],
    ),
    (
        "rbac",
        &[
            "rbac -n shop --service-account ci | kubectl apply -f -",
            "rbac -n shop --user alice@example.com > casctl-rbac.yaml   # for an administrator",
        ],
    ),
    (
        "completions",
        &[
            "completions bash > ~/.local/share/bash-completion/completions/casctl",
            "completions fish > ~/.config/fish/completions/casctl.fish",
        ],
    ),
    ("man", &["man > ~/.local/share/man/man1/casctl.1"]),
];

fn examples_help(examples: &[&str], invocation: Invocation, header: Style) -> StyledStr {
    let mut text = format!("{header}Examples:{header:#}");
    for example in examples {
        text.push_str(&format!("\n  {} {example}", invocation.command_line()));
    }
    text.into()
}

/// Combinations of flags that clap cannot express: the subcommand and the message.
fn conflicting_flags(cli: &Cli) -> Option<(&'static str, &'static str)> {
    if let Command::Down(down) = &cli.command
        && down.yes
        && !down.purge_volumes
    {
        return Some((
            "down",
            "--yes answers the question of --purge-volumes, and without --purge-volumes nothing is asked \
             (the volumes are kept); add --purge-volumes to delete them, or leave out --yes",
        ));
    }
    let (subcommand, create_storage_class, settings) = match &cli.command {
        Command::Render(args) => ("render", args.create_storage_class, &args.settings),
        Command::Up(args) => ("up", args.create_storage_class, &args.settings),
        _ => return None,
    };
    let no_class = settings.storage_class == Some(StorageClassChoice::NoClass);
    (create_storage_class && no_class).then_some((
        subcommand,
        "--create-storage-class creates the StorageClass that --storage-class names, and '' names none",
    ))
}

/// A usage error (exit 2) that shows the subcommand's usage line.
fn subcommand_error(command: &mut clap::Command, subcommand: &str, message: &str) -> clap::Error {
    match command.find_subcommand_mut(subcommand) {
        Some(sub) => sub.error(ErrorKind::ArgumentConflict, message),
        None => command.error(ErrorKind::ArgumentConflict, message),
    }
}

/// Flags every command takes.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Path to the kubeconfig file [default: $KUBECONFIG, else ~/.kube/config]
    #[arg(long, global = true, value_name = "PATH", allow_hyphen_values = true)]
    pub kubeconfig: Option<PathBuf>,

    /// The kubeconfig context to use [default: the current context]
    #[arg(long, global = true, value_name = "NAME", allow_hyphen_values = true)]
    pub context: Option<String>,

    /// Namespace [default: the context's namespace, else `default`]
    #[arg(short = 'n', long, global = true, value_name = "NS", allow_hyphen_values = true,
          value_parser = parse_namespace)]
    pub namespace: Option<DnsLabel>,

    /// Name of the Service, the StatefulSet and the pod prefix
    #[arg(long, global = true, value_name = "NAME", default_value = "cassandra",
          allow_hyphen_values = true, value_parser = parse_name)]
    pub name: DnsLabel,

    /// When to use colors (NO_COLOR and TERM=dumb are honoured in auto mode)
    #[arg(long, global = true, value_name = "WHEN", value_enum, allow_hyphen_values = true,
          default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Print only errors, warnings and the data asked for
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Say more, on stderr: -v shows what casctl asks the API and how long each phase takes;
    /// -vv also shows every request
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
    /// Print the least-privilege Role, ClusterRole and bindings every command needs, as YAML
    /// for `kubectl apply -f -` (needs no cluster)
    Rbac(RbacArgs),
    /// Restart the pods one at a time: drain, delete, wait until the ring is whole again
    Restart(RestartArgs),
    /// Print a shell completion script for the `casctl` command
    ///
    /// The script completes `casctl …`, also when this binary runs as the kubectl plugin:
    /// kubectl completes plugin names itself, not a plugin's flags.
    Completions(CompletionsArgs),
    /// Print the man page (roff)
    Man,
}

/// What goes into the rendered objects. Unset values keep the template's (the tutorial's).
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Settings")]
pub struct Settings {
    /// Number of Cassandra nodes, 1 to 1000 [template: 3]
    #[arg(long, value_name = "N", allow_hyphen_values = true, value_parser = parse_replicas)]
    pub replicas: Option<u32>,

    /// Container image, [REGISTRY/]REPOSITORY[:TAG][@sha256:DIGEST] with a lower-case repository
    /// [template: gcr.io/google-samples/cassandra:v13]
    #[arg(long, value_name = "IMAGE", allow_hyphen_values = true, value_parser = parse_image)]
    pub image: Option<String>,

    /// CASSANDRA_CLUSTER_NAME [template: K8Demo]
    #[arg(long, value_name = "NAME", allow_hyphen_values = true, value_parser = parse_word)]
    pub cluster_name: Option<String>,

    /// CASSANDRA_DC [template: DC1-K8Demo]
    #[arg(long, value_name = "NAME", allow_hyphen_values = true, value_parser = parse_word)]
    pub dc: Option<String>,

    /// CASSANDRA_RACK [template: Rack1-K8Demo]
    #[arg(long, value_name = "NAME", allow_hyphen_values = true, value_parser = parse_word)]
    pub rack: Option<String>,

    /// CASSANDRA_NUM_TOKENS, vnodes per node, 1 to 1536 [template: 32]
    #[arg(long, value_name = "N", allow_hyphen_values = true, value_parser = parse_num_tokens)]
    pub num_tokens: Option<u32>,

    /// CASSANDRA_RPC_ADDRESS, an IPv4 or IPv6 address [template: 0.0.0.0]
    #[arg(long, value_name = "ADDRESS", allow_hyphen_values = true,
          value_parser = parse_ip_address)]
    pub rpc_address: Option<String>,

    /// Any other variable the image's run.sh reads, e.g. CASSANDRA_AUTO_BOOTSTRAP=false
    /// (repeatable; overrides the values above)
    #[arg(long = "env", value_name = "KEY=VALUE", allow_hyphen_values = true,
          value_parser = parse_env_var)]
    pub env: Vec<EnvVar>,

    /// MAX_HEAP_SIZE, a JVM size such as 512M or 4G [template: 512M]
    #[arg(long, value_name = "SIZE", allow_hyphen_values = true, value_parser = parse_heap_size)]
    pub heap_max: Option<HeapSize>,

    /// HEAP_NEWSIZE, a JVM size such as 100M [template: 100M]
    #[arg(long, value_name = "SIZE", allow_hyphen_values = true, value_parser = parse_heap_size)]
    pub heap_new: Option<HeapSize>,

    /// CPU request and limit, e.g. 500m or 2 [template: 500m]
    #[arg(long, value_name = "QUANTITY", allow_hyphen_values = true,
          value_parser = parse_positive_quantity)]
    pub cpu: Option<Quantity>,

    /// Memory request and limit, e.g. 1Gi or 4Gi [template: 1Gi]
    #[arg(long, value_name = "QUANTITY", allow_hyphen_values = true,
          value_parser = parse_positive_quantity)]
    pub memory: Option<Quantity>,

    /// StorageClass of the data volumes, or '' for no class: the claims then bind only volumes
    /// that have no class [template: fast]
    #[arg(long, value_name = "CLASS", allow_hyphen_values = true,
          value_parser = parse_storage_class)]
    pub storage_class: Option<StorageClassChoice>,

    /// Size of each data volume [template: 1Gi]
    #[arg(long, value_name = "QUANTITY", allow_hyphen_values = true,
          value_parser = parse_positive_quantity)]
    pub storage_size: Option<Quantity>,

    /// Cluster DNS domain, used in the seed address
    #[arg(long, value_name = "DOMAIN", default_value = "cluster.local",
          allow_hyphen_values = true, value_parser = parse_subdomain)]
    pub cluster_domain: DnsSubdomain,

    /// Directory with your own service.yaml and statefulset.yaml (and optionally
    /// storageclass.yaml) to use as the base instead of the built-in ones
    #[arg(long, value_name = "DIR", allow_hyphen_values = true)]
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
    #[arg(short, long, value_name = "FORMAT", value_enum, allow_hyphen_values = true,
          default_value_t = RenderFormat::Yaml)]
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
    /// How long the whole command may take (preflight, apply, rollout, cleanup), e.g. 30s, 5m,
    /// 1h or 1m30s
    #[arg(long, value_name = "DURATION", default_value = "10m", allow_hyphen_values = true,
          value_parser = parse_duration)]
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
    #[arg(short, long, value_name = "FORMAT", value_enum, allow_hyphen_values = true,
          default_value_t = StatusFormat::Table)]
    pub output: StatusFormat,

    /// Do not run `nodetool status` in a pod
    #[arg(long)]
    pub no_ring: bool,
}

#[derive(Debug, Args)]
pub struct ScaleArgs {
    /// The number of nodes wanted (at least 1; `casctl down` removes everything)
    #[arg(value_name = "N", allow_negative_numbers = true,
          value_parser = parse_scale_target)]
    pub replicas: u32,

    /// How long to wait for the whole change, e.g. 30s, 5m, 1h or 1m30s
    #[arg(long, value_name = "DURATION", default_value = "30m", allow_hyphen_values = true,
          value_parser = parse_duration)]
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

    /// Do not ask for confirmation before purging volumes (only with --purge-volumes)
    #[arg(short, long)]
    pub yes: bool,

    /// How long to wait for the pods to terminate, e.g. 30s, 5m, 1h or 1m30s [default: the
    /// grace period plus a margin]
    #[arg(long, value_name = "DURATION", allow_hyphen_values = true,
          value_parser = parse_duration)]
    pub timeout: Option<Duration>,

    /// When another command holds the ring's lock, wait for it instead of refusing
    #[arg(long)]
    pub wait_for_lock: bool,
}

#[derive(Debug, Args)]
pub struct NodetoolArgs {
    /// Pod to run in [default: the first Ready pod, <name>-0 preferred]
    #[arg(long, value_name = "POD", allow_hyphen_values = true, value_parser = parse_pod_name)]
    pub pod: Option<String>,

    /// How long nodetool may run, e.g. 30s, 5m or 1m30s
    #[arg(long, value_name = "DURATION", default_value = "5m", allow_hyphen_values = true,
          value_parser = parse_duration)]
    pub timeout: Duration,

    /// Arguments for nodetool, after `--`, e.g. `casctl nodetool -- status`
    #[arg(last = true, required = true, value_name = "ARGS")]
    pub args: Vec<String>,
}

/// Who gets the permissions: exactly one of a service account (of the namespace) or a user.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("subject").required(true).multiple(false))]
pub struct RbacArgs {
    /// Bind a service account of the namespace (-n)
    #[arg(long, value_name = "NAME", group = "subject", allow_hyphen_values = true,
          value_parser = parse_subdomain)]
    pub service_account: Option<DnsSubdomain>,

    /// Bind a user, by the name the API server authenticates it as
    #[arg(long, value_name = "NAME", group = "subject", allow_hyphen_values = true,
          value_parser = parse_word)]
    pub user: Option<String>,
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
    fn the_program_name_decides_the_invocation() {
        let of = |program: &str| Invocation::of_program(OsStr::new(program));
        assert_eq!(of("casctl"), Invocation::Casctl);
        assert_eq!(of("/usr/local/bin/casctl"), Invocation::Casctl);
        assert_eq!(
            of("/home/me/.krew/bin/kubectl-casctl"),
            Invocation::KubectlPlugin
        );
        assert_eq!(of("kubectl-casctl"), Invocation::KubectlPlugin);
        assert_eq!(of("kubectl-casctl.exe"), Invocation::KubectlPlugin);
        assert_eq!(of("kubectl-casctl-old"), Invocation::Casctl);
        assert_eq!(of(""), Invocation::Casctl);
    }

    #[test]
    fn every_command_has_examples() {
        let command = Cli::command();
        let mut with_examples: Vec<&str> = EXAMPLES.iter().map(|(name, _)| *name).collect();
        let mut commands: Vec<&str> = command.get_subcommands().map(|c| c.get_name()).collect();
        with_examples.sort_unstable();
        commands.sort_unstable();
        assert_eq!(with_examples, commands);
    }

    #[test]
    fn the_plugin_usage_says_kubectl_casctl() {
        let err = try_parse(["/bin/kubectl-casctl", "scale"].map(OsString::from)).unwrap_err();
        let text = err.render().to_string();
        assert!(text.contains("Usage: kubectl casctl scale"), "{text}");
        let cli = try_parse(["kubectl-casctl", "status", "-n", "shop"].map(OsString::from));
        assert!(matches!(cli.unwrap().command, Command::Status(_)));
    }

    #[test]
    fn no_storage_class_cannot_be_created() {
        let args = [
            "casctl",
            "up",
            "--storage-class",
            "",
            "--create-storage-class",
        ];
        let err = try_parse(args.map(OsString::from)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ArgumentConflict);
        let cli = try_parse(["casctl", "up", "--storage-class", ""].map(OsString::from)).unwrap();
        let Command::Up(up) = cli.command else {
            panic!("expected up")
        };
        assert_eq!(up.settings.storage_class, Some(StorageClassChoice::NoClass));
    }

    #[test]
    fn global_flags_work_after_the_command() {
        let cli =
            Cli::try_parse_from(["casctl", "status", "-n", "shop", "--name", "ring"]).unwrap();
        assert_eq!(cli.global.namespace.unwrap().as_str(), "shop");
        assert_eq!(cli.global.name.as_str(), "ring");
    }
}
