//! A real node's configuration, generated from its pod as the tutorial image's `run.sh` does
//! (cluster name, DC and rack with GossipingPropertyFileSnitch, tokens, seeds, auto_bootstrap),
//! with settings that keep several JVMs fast and stable on a 2-core machine. The Maven artifact
//! has no `conf/` directory, so cassandra.yaml, the rack/DC file, logback and the JVM options are
//! all written here.

use std::path::Path;
use std::time::Duration;

use crate::pods::PodView;

/// What a node is configured with.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub cluster_name: String,
    /// DC and rack, when the pod sets both (then the snitch is GossipingPropertyFileSnitch).
    pub dc_rack: Option<(String, String)>,
    pub snitch: String,
    pub num_tokens: u32,
    pub seeds: Vec<String>,
    pub ip: String,
    pub auto_bootstrap: bool,
}

impl Node {
    /// The configuration of `pod`'s node, on address `ip`, with its seeds already resolved.
    pub fn from_pod(pod: &PodView, ip: &str, seeds: Vec<String>) -> Self {
        let dc = pod.env.get("CASSANDRA_DC").filter(|v| !v.is_empty());
        let rack = pod.env.get("CASSANDRA_RACK").filter(|v| !v.is_empty());
        let dc_rack = dc.zip(rack).map(|(d, r)| (d.clone(), r.clone()));
        let snitch = if dc_rack.is_some() {
            "GossipingPropertyFileSnitch".to_string()
        } else {
            pod.env_or("CASSANDRA_ENDPOINT_SNITCH", "SimpleSnitch")
        };
        Node {
            cluster_name: pod.env_or("CASSANDRA_CLUSTER_NAME", "Test Cluster"),
            dc_rack,
            snitch,
            num_tokens: pod
                .env_or("CASSANDRA_NUM_TOKENS", "32")
                .parse()
                .unwrap_or(32),
            seeds,
            ip: ip.to_string(),
            // Cassandra's own default (the image's run.sh defaults to false, which would skip
            // the bootstrap that real rings do and casctl must follow).
            auto_bootstrap: pod.env_or("CASSANDRA_AUTO_BOOTSTRAP", "true") != "false",
        }
    }
}

/// YAML's single-quoted scalar.
fn quoted(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// cassandra.yaml: the node's identity and addresses (all on the pod IP: every JVM shares the
/// machine's ports 7000, 9042 and 7199), its data on the pod's volume under `data`, and small
/// caches, memtables and thread pools.
pub fn cassandra_yaml(node: &Node, data: &Path) -> String {
    let d = data.display();
    format!(
        "cluster_name: {cluster}
num_tokens: {tokens}
allocate_tokens_for_local_replication_factor: 3
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
auto_bootstrap: {bootstrap}
data_file_directories: [{d}/data]
commitlog_directory: {d}/commitlog
saved_caches_directory: {d}/saved_caches
hints_directory: {d}/hints
cdc_raw_directory: {d}/cdc_raw
commitlog_sync: periodic
commitlog_sync_period: 10000ms
commitlog_segment_size: 8MiB
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: {seeds}
listen_address: {ip}
rpc_address: {ip}
storage_port: 7000
ssl_storage_port: 7001
native_transport_port: 9042
endpoint_snitch: {snitch}
hinted_handoff_enabled: false
key_cache_size: 0MiB
counter_cache_size: 0MiB
prepared_statements_cache_size: 1MiB
memtable_heap_space: 16MiB
memtable_offheap_space: 16MiB
concurrent_reads: 4
concurrent_writes: 4
concurrent_counter_writes: 4
concurrent_materialized_view_writes: 4
concurrent_compactors: 1
native_transport_max_threads: 16
write_request_timeout: 1000ms
",
        cluster = quoted(&node.cluster_name),
        tokens = node.num_tokens,
        bootstrap = node.auto_bootstrap,
        seeds = quoted(&node.seeds.join(",")),
        ip = node.ip,
        snitch = node.snitch,
    )
}

/// cassandra-rackdc.properties, when the pod sets a DC and a rack.
pub fn rackdc(node: &Node) -> Option<String> {
    node.dc_rack
        .as_ref()
        .map(|(dc, rack)| format!("dc={dc}\nrack={rack}\n"))
}

/// The server's log: everything at INFO on stdout (the container log), as Cassandra's own
/// console appender prints it.
pub const LOGBACK: &str = r#"<configuration scan="false">
  <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="STDOUT"/></root>
  <logger name="com.thinkaurelius.thrift" level="ERROR"/>
</configuration>
"#;

/// The nodetool JVM's log (Cassandra's logback-tools.xml): warnings only, on stderr.
pub const LOGBACK_TOOLS: &str = r#"<configuration scan="false">
  <appender name="STDERR" class="ch.qos.logback.core.ConsoleAppender">
    <target>System.err</target>
    <encoder><pattern>%-5level %date{"HH:mm:ss,SSS"} %msg%n</pattern></encoder>
  </appender>
  <root level="WARN"><appender-ref ref="STDERR"/></root>
</configuration>
"#;

/// Cassandra 5.0's conf/jvm17-server.options, module flags.
const SERVER_MODULE_FLAGS: &[&str] = &[
    "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-exports=java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
    "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
    "--add-exports=java.rmi/sun.rmi.server=ALL-UNNAMED",
    "--add-exports=java.sql/java.sql=ALL-UNNAMED",
    "--add-exports=java.base/java.lang.ref=ALL-UNNAMED",
    "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
    "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
    "--add-exports=jdk.attach/sun.tools.attach=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.module=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.loader=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.reflect=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.math=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.module=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.util.jar=ALL-UNNAMED",
    "--add-opens=jdk.management/com.sun.management.internal=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
    "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED",
];

/// Cassandra 5.0's conf/jvm17-clients.options, module flags.
const CLIENT_MODULE_FLAGS: &[&str] = &[
    "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
    "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-exports=java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
    "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
    "--add-exports=java.rmi/sun.rmi.server=ALL-UNNAMED",
    "--add-exports=java.sql/java.sql=ALL-UNNAMED",
    "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.module=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.loader=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.reflect=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.math=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.module=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.util.jar=ALL-UNNAMED",
    "--add-opens=jdk.management/com.sun.management.internal=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.math=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
    "--add-opens=java.base/java.net=ALL-UNNAMED",
];

/// The JVM system property that marks a node's JVM with its pod (`<ns>/<name>/<uid>`): how the
/// daemon finds its JVMs again after a restart, and how tests count them.
pub const POD_PROPERTY: &str = "-Dcasctl.pod=";

/// Where a node's files are.
pub struct Paths<'a> {
    pub conf: &'a Path,
    pub data: &'a Path,
    pub lib: &'a Path,
}

/// The server JVM's arguments (after `java`). JMX is the JDK's own agent bound to the pod IP
/// (Cassandra's own JMX server binds every address or only 127.0.0.1, and all nodes share port
/// 7199). A decommission delay becomes the batchlog replay timeout, which is how long a leaving
/// node sleeps before it streams (`max(ring_delay, batchlog timeout)`), and nothing else here.
pub fn server_args(
    node: &Node,
    paths: &Paths,
    pod_key: &str,
    decommission_delay: Option<Duration>,
) -> Vec<String> {
    let ip = &node.ip;
    let mut args: Vec<String> = [
        "-Xms64M",
        "-Xmx256M",
        "-Xss256k",
        "-XX:MaxDirectMemorySize=128M",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-XX:+ExitOnOutOfMemoryError",
        "-XX:-UsePerfData",
        "-Djava.net.preferIPv4Stack=true",
        "-Djdk.attach.allowAttachSelf=true",
        "-Dio.netty.tryReflectionSetAccessible=true",
        "-Dcassandra-foreground=yes",
        "-Dcassandra.ring_delay_ms=3000",
        "-Dcassandra.skip_wait_for_gossip_to_settle=0",
        "-Dcassandra.migration_task_wait_in_seconds=1",
        "-Dcom.sun.management.jmxremote.port=7199",
        "-Dcom.sun.management.jmxremote.rmi.port=7199",
        "-Dcom.sun.management.jmxremote.authenticate=false",
        "-Dcom.sun.management.jmxremote.ssl=false",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(SERVER_MODULE_FLAGS.iter().map(|s| s.to_string()));
    args.push(format!("-Dcom.sun.management.jmxremote.host={ip}"));
    args.push(format!("-Djava.rmi.server.hostname={ip}"));
    args.push(format!(
        "-Dcassandra.config=file://{}/cassandra.yaml",
        paths.conf.display()
    ));
    args.push(format!("-Dcassandra.storagedir={}", paths.data.display()));
    args.push(format!("-Dcassandra.logdir={}", paths.conf.display()));
    if let Some(delay) = decommission_delay {
        args.push(format!(
            "-Dcassandra.batchlog.replay_timeout_in_ms={}",
            delay.as_millis()
        ));
    }
    args.push(format!("{POD_PROPERTY}{pod_key}"));
    args.push("-cp".into());
    args.push(format!(
        "{}:{}/*",
        paths.conf.display(),
        paths.lib.display()
    ));
    args.push("org.apache.cassandra.service.CassandraDaemon".into());
    args
}

/// The class-data-sharing archive of the nodetool JVM: used when it exists, written at exit
/// (to `dump`) otherwise.
pub enum Cds<'a> {
    Use(&'a Path),
    Dump(&'a Path),
    Off,
}

/// The nodetool JVM's arguments (after `java`): Cassandra's bin/nodetool settings, the tools'
/// logback and the history file in `tools_home`, and `-h <ip> -p 7199` before the caller's.
pub fn nodetool_args(
    lib: &Path,
    tools_home: &Path,
    cds: Cds,
    ip: &str,
    user_args: &[String],
) -> Vec<String> {
    let mut args: Vec<String> = [
        "-Xms32M",
        "-Xmx128M",
        "-Xss256k",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-XX:-UsePerfData",
        "-Xlog:disable",
        "-Xlog:all=error:stderr",
        "-Djava.net.preferIPv4Stack=true",
        "-Djdk.attach.allowAttachSelf=true",
        "-Dcassandra.storagedir=/nonexistent",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // A file, not a directory on the classpath: class-data sharing refuses non-empty
    // directories in it.
    args.push(format!(
        "-Dlogback.configurationFile={}",
        tools_home.join("logback-tools.xml").display()
    ));
    match cds {
        Cds::Use(archive) => args.push(format!("-XX:SharedArchiveFile={}", archive.display())),
        Cds::Dump(archive) => args.push(format!("-XX:ArchiveClassesAtExit={}", archive.display())),
        Cds::Off => {}
    }
    args.extend(CLIENT_MODULE_FLAGS.iter().map(|s| s.to_string()));
    args.push(format!("-Duser.home={}", tools_home.display()));
    args.push("-cp".into());
    args.push(format!("{}/*", lib.display()));
    args.push("org.apache.cassandra.tools.NodeTool".into());
    args.extend(["-h".to_string(), ip.to_string(), "-p".into(), "7199".into()]);
    args.extend(user_args.iter().cloned());
    args
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    fn pod(env: &[(&str, &str)]) -> PodView {
        PodView {
            name: "cassandra-1".into(),
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
            ..PodView::default()
        }
    }

    #[test]
    fn the_tutorial_env_makes_a_gossiping_node_of_its_dc_and_rack() {
        let p = pod(&[
            ("CASSANDRA_CLUSTER_NAME", "K8Demo"),
            ("CASSANDRA_DC", "DC1-K8Demo"),
            ("CASSANDRA_RACK", "Rack1-K8Demo"),
            ("CASSANDRA_NUM_TOKENS", "32"),
            ("CASSANDRA_RPC_ADDRESS", "0.0.0.0"),
        ]);
        let node = Node::from_pod(&p, "127.1.0.2", vec!["127.1.0.1".into()]);
        let yaml = cassandra_yaml(&node, Path::new("/v/fast-1gi-001"));
        assert!(yaml.contains("cluster_name: 'K8Demo'\n"));
        assert!(yaml.contains("num_tokens: 32\n"));
        assert!(yaml.contains("      - seeds: '127.1.0.1'\n"));
        assert!(yaml.contains("listen_address: 127.1.0.2\nrpc_address: 127.1.0.2\n"));
        assert!(yaml.contains("endpoint_snitch: GossipingPropertyFileSnitch\n"));
        assert!(yaml.contains("data_file_directories: [/v/fast-1gi-001/data]\n"));
        assert!(yaml.contains("auto_bootstrap: true\n"));
        assert_eq!(
            rackdc(&node).as_deref(),
            Some("dc=DC1-K8Demo\nrack=Rack1-K8Demo\n")
        );
    }

    #[test]
    fn without_dc_and_rack_the_defaults_of_run_sh_apply() {
        let p = pod(&[
            ("CASSANDRA_DC", "DC1"),
            ("CASSANDRA_AUTO_BOOTSTRAP", "false"),
        ]);
        let node = Node::from_pod(&p, "127.1.0.2", vec!["a".into(), "b".into()]);
        assert_eq!(node.snitch, "SimpleSnitch");
        assert_eq!(node.cluster_name, "Test Cluster");
        assert_eq!(node.num_tokens, 32);
        assert!(!node.auto_bootstrap);
        assert_eq!(rackdc(&node), None);
        let yaml = cassandra_yaml(&node, Path::new("/d"));
        assert!(yaml.contains("seeds: 'a,b'"));
        let named = Node::from_pod(&pod(&[("CASSANDRA_CLUSTER_NAME", "it's")]), "x", vec![]);
        assert!(cassandra_yaml(&named, Path::new("/d")).contains("cluster_name: 'it''s'\n"));
    }

    #[test]
    fn the_server_binds_jmx_to_the_pod_ip_and_carries_its_pod() {
        let node = Node::from_pod(&pod(&[]), "127.1.3.7", vec![]);
        let (conf, data, lib) = (
            PathBuf::from("/c"),
            PathBuf::from("/d"),
            PathBuf::from("/l"),
        );
        let paths = Paths {
            conf: &conf,
            data: &data,
            lib: &lib,
        };
        let args = server_args(&node, &paths, "ns/p-0/u", Some(Duration::from_secs(8)));
        for expected in [
            "-Dcom.sun.management.jmxremote.host=127.1.3.7",
            "-Djava.rmi.server.hostname=127.1.3.7",
            "-Dcassandra.config=file:///c/cassandra.yaml",
            "-Dcassandra.batchlog.replay_timeout_in_ms=8000",
            "-Dcasctl.pod=ns/p-0/u",
            "-Dcassandra.ring_delay_ms=3000",
            "/c:/l/*",
        ] {
            assert!(args.iter().any(|a| a == expected), "{expected} missing");
        }
        assert_eq!(
            args.last().map(String::as_str),
            Some("org.apache.cassandra.service.CassandraDaemon")
        );
        let plain = server_args(&node, &paths, "k", None);
        assert!(!plain.iter().any(|a| a.contains("batchlog")));
    }

    #[test]
    fn nodetool_talks_to_the_pod_ip_before_the_callers_arguments() {
        let args = nodetool_args(
            Path::new("/l"),
            Path::new("/t"),
            Cds::Use(Path::new("/a.jsa")),
            "127.1.0.3",
            &["status".to_string()],
        );
        let tail: Vec<&str> = args[args.len() - 6..].iter().map(String::as_str).collect();
        assert_eq!(
            tail,
            [
                "org.apache.cassandra.tools.NodeTool",
                "-h",
                "127.1.0.3",
                "-p",
                "7199",
                "status"
            ]
        );
        assert!(args.contains(&"-XX:SharedArchiveFile=/a.jsa".to_string()));
        assert!(args.contains(&"-Duser.home=/t".to_string()));
    }
}
