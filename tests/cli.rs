//! CLI tests: the binary as a user runs it, with no cluster (or an unreachable one).

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use predicates::prelude::*;
use predicates::str::contains;

fn casctl() -> Command {
    let mut cmd = Command::cargo_bin("casctl").unwrap();
    // Never reach a developer's real cluster from a CLI test.
    cmd.env_remove("KUBECONFIG")
        .env("HOME", "/nonexistent")
        .env("NO_COLOR", "1");
    cmd
}

fn render(args: &[&str]) -> serde_json::Value {
    let out = casctl()
        .arg("render")
        .args(args)
        .args(["-o", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn item<'a>(list: &'a serde_json::Value, kind: &str) -> &'a serde_json::Value {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == kind)
        .unwrap()
}

fn env_value<'a>(sts: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    let env = sts
        .pointer("/spec/template/spec/containers/0/env")
        .unwrap()
        .as_array()
        .unwrap();
    &env.iter()
        .find(|e| e["name"] == name)
        .unwrap_or_else(|| panic!("no {name}"))["value"]
}

fn stdout_of(args: &[&str]) -> String {
    let out = casctl().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "casctl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Every command a user can run, as `casctl --help` lists them.
const COMMANDS: &[&str] = &[
    "render",
    "up",
    "status",
    "scale",
    "down",
    "nodetool",
    "completions",
    "man",
];

const GLOBAL_FLAGS: &[&str] = &[
    "--kubeconfig <PATH>",
    "--context <NAME>",
    "-n, --namespace <NS>",
    "--name <NAME>",
    "--color <WHEN>",
    "-q, --quiet",
    "-v, --verbose...",
];

#[test]
fn help_lists_every_command_and_the_man_page() {
    let help = stdout_of(&["--help"]);
    for command in COMMANDS {
        let listed = help
            .lines()
            .any(|l| l.trim_start().starts_with(&format!("{command} ")));
        assert!(listed, "{command} missing from\n{help}");
    }
    assert!(
        help.contains("  man          Print the man page (roff)"),
        "{help}"
    );
}

/// A help text's sections: each heading (`Options:`) with the flags (`--timeout <DURATION>`)
/// or lines under it, in order.
fn help_sections(help: &str) -> Vec<(String, Vec<String>)> {
    let mut sections: Vec<(String, Vec<String>)> = Vec::new();
    for line in help.lines() {
        if let Some(heading) = line.strip_suffix(':').filter(|_| !line.starts_with(' ')) {
            sections.push((heading.to_owned(), Vec::new()));
        } else if let Some((_, entries)) = sections.last_mut() {
            let entry = line.trim();
            if line.starts_with("  ") && !line.starts_with("          ") && !entry.is_empty() {
                let flag = entry.split("  ").next().unwrap_or(entry);
                entries.push(flag.to_owned());
            }
        }
    }
    sections
}

#[test]
fn every_command_shows_its_options_then_settings_then_the_global_options() {
    for command in COMMANDS {
        let help = stdout_of(&[command, "--help"]);
        let sections = help_sections(&help);
        let headings: Vec<&str> = sections.iter().map(|(h, _)| h.as_str()).collect();
        let expected: &[&str] = match *command {
            "render" | "up" => &["Options", "Settings", "Global options", "Examples"],
            "scale" | "nodetool" | "completions" => {
                &["Arguments", "Options", "Global options", "Examples"]
            }
            _ => &["Options", "Global options", "Examples"],
        };
        assert_eq!(headings, expected, "casctl {command} --help:\n{help}");
        let flags_under = |heading: &str| -> Vec<String> {
            let (_, entries) = sections.iter().find(|(h, _)| h == heading).unwrap();
            entries.clone()
        };
        assert_eq!(
            flags_under("Global options"),
            GLOBAL_FLAGS,
            "casctl {command} --help"
        );
        let options = flags_under("Options");
        assert!(
            options.ends_with(&["-h, --help".to_owned(), "-V, --version".to_owned()]),
            "casctl {command}: {options:?}"
        );
    }
}

#[test]
fn up_lists_its_own_options_first() {
    let help = stdout_of(&["up", "--help"]);
    let sections = help_sections(&help);
    assert_eq!(
        sections[0].1,
        [
            "--timeout <DURATION>",
            "--no-wait",
            "--no-ring-check",
            "--dry-run[=<MODE>]",
            "--create-storage-class",
            "--force-conflicts",
            "--no-cleanup",
            "--wait-for-lock",
            "-h, --help",
            "-V, --version"
        ]
    );
    assert_eq!(sections[1].1[0], "--replicas <N>");
}

/// The lines under `Examples:` in a help text, without their indentation.
fn examples_in(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| *l != "Examples:")
        .skip(1)
        .take_while(|l| !l.is_empty())
        .map(|l| l.trim().to_owned())
        .collect()
}

#[test]
fn every_help_has_the_readme_examples() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let mut helps = vec![("casctl".to_owned(), stdout_of(&["--help"]))];
    helps.extend(
        COMMANDS
            .iter()
            .map(|c| (format!("casctl {c}"), stdout_of(&[c, "--help"]))),
    );
    for (command, help) in helps {
        let examples = examples_in(&help);
        assert!(!examples.is_empty(), "no Examples: in {command} --help");
        for example in examples {
            assert!(
                example.starts_with(&format!("{command} ")) || command == "casctl",
                "{command}: {example}"
            );
            assert!(
                readme.contains(&example),
                "README.md lacks the example of {command} --help: {example}"
            );
        }
    }
}

#[test]
fn verbose_is_documented_level_by_level() {
    let help = stdout_of(&["status", "--help"]);
    let verbose: String = help
        .lines()
        .skip_while(|l| !l.contains("-v, --verbose..."))
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        verbose.ends_with(
            "Say more, on stderr: -v shows what casctl asks the API and how long each phase \
             takes; -vv also shows every request"
        ),
        "{verbose}"
    );
}

#[test]
fn render_without_flags_is_the_tutorial() {
    let list = render(&[]);
    let svc = item(&list, "Service");
    assert_eq!(svc["spec"]["clusterIP"], "None");
    assert_eq!(svc["spec"]["ports"][0]["port"], 9042);
    let sts = item(&list, "StatefulSet");
    assert_eq!(sts["spec"]["serviceName"], "cassandra");
    assert_eq!(sts["spec"]["replicas"], 3);
    let pod = &sts["spec"]["template"]["spec"];
    assert_eq!(pod["terminationGracePeriodSeconds"], 500);
    let c = &pod["containers"][0];
    assert_eq!(c["image"], "gcr.io/google-samples/cassandra:v13");
    let ports: Vec<(i64, &str)> = c["ports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["containerPort"].as_i64().unwrap(),
                p["name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        ports,
        [
            (7000, "intra-node"),
            (7001, "tls-intra-node"),
            (7199, "jmx"),
            (9042, "cql")
        ]
    );
    for resources in ["requests", "limits"] {
        assert_eq!(c["resources"][resources]["cpu"], "500m");
        assert_eq!(c["resources"][resources]["memory"], "1Gi");
    }
    assert_eq!(c["securityContext"]["capabilities"]["add"][0], "IPC_LOCK");
    assert_eq!(
        c["lifecycle"]["preStop"]["exec"]["command"][2],
        "nodetool drain"
    );
    assert_eq!(c["readinessProbe"]["exec"]["command"][2], "/ready-probe.sh");
    assert_eq!(c["readinessProbe"]["initialDelaySeconds"], 15);
    assert_eq!(c["readinessProbe"]["timeoutSeconds"], 5);
    assert_eq!(c["volumeMounts"][0]["mountPath"], "/cassandra_data");
    let expected_env = [
        ("MAX_HEAP_SIZE", "512M"),
        ("HEAP_NEWSIZE", "100M"),
        (
            "CASSANDRA_SEEDS",
            "cassandra-0.cassandra.default.svc.cluster.local",
        ),
        ("CASSANDRA_CLUSTER_NAME", "K8Demo"),
        ("CASSANDRA_DC", "DC1-K8Demo"),
        ("CASSANDRA_RACK", "Rack1-K8Demo"),
        ("CASSANDRA_NUM_TOKENS", "32"),
        ("CASSANDRA_RPC_ADDRESS", "0.0.0.0"),
    ];
    for (name, value) in expected_env {
        assert_eq!(env_value(sts, name), value, "{name}");
    }
    let pod_ip = c["env"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "POD_IP")
        .unwrap();
    assert_eq!(pod_ip["valueFrom"]["fieldRef"]["fieldPath"], "status.podIP");
    let claim = &sts["spec"]["volumeClaimTemplates"][0];
    assert_eq!(claim["metadata"]["name"], "cassandra-data");
    assert_eq!(claim["spec"]["accessModes"][0], "ReadWriteOnce");
    assert_eq!(claim["spec"]["storageClassName"], "fast");
    assert_eq!(claim["spec"]["resources"]["requests"]["storage"], "1Gi");
}

#[test]
fn every_object_carries_both_label_styles() {
    let list = render(&[]);
    for kind in ["Service", "StatefulSet"] {
        let labels = &item(&list, kind)["metadata"]["labels"];
        assert_eq!(labels["app"], "cassandra");
        assert_eq!(labels["app.kubernetes.io/name"], "cassandra");
        assert_eq!(labels["app.kubernetes.io/instance"], "cassandra");
        assert_eq!(labels["app.kubernetes.io/managed-by"], "casctl");
    }
    let sts = item(&list, "StatefulSet");
    let selector = &sts["spec"]["selector"]["matchLabels"];
    assert_eq!(selector, &sts["spec"]["template"]["metadata"]["labels"]);
    assert_eq!(selector, &item(&list, "Service")["spec"]["selector"]);
    assert_eq!(selector["app"], "cassandra");
}

#[test]
fn a_namespace_moves_the_seed_and_the_metadata() {
    let list = render(&["-n", "shop", "--cluster-domain", "corp.internal"]);
    let sts = item(&list, "StatefulSet");
    assert_eq!(sts["metadata"]["namespace"], "shop");
    assert_eq!(item(&list, "Service")["metadata"]["namespace"], "shop");
    assert_eq!(
        env_value(sts, "CASSANDRA_SEEDS"),
        "cassandra-0.cassandra.shop.svc.corp.internal"
    );
}

#[test]
fn settings_reach_their_fields() {
    let list = render(&[
        "--name",
        "ring",
        "--replicas",
        "5",
        "--image",
        "cassandra:4.1",
        "--cluster-name",
        "Prod",
        "--dc",
        "eu",
        "--rack",
        "r2",
        "--num-tokens",
        "16",
        "--heap-max",
        "2G",
        "--heap-new",
        "400M",
        "--cpu",
        "2",
        "--memory",
        "4Gi",
        "--storage-class",
        "premium",
        "--storage-size",
        "50Gi",
        "--env",
        "CASSANDRA_AUTO_BOOTSTRAP=false",
        "--env",
        "CASSANDRA_DC=override",
    ]);
    let sts = item(&list, "StatefulSet");
    assert_eq!(sts["metadata"]["name"], "ring");
    assert_eq!(sts["spec"]["replicas"], 5);
    assert_eq!(sts["spec"]["serviceName"], "ring");
    let c = &sts["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(c["image"], "cassandra:4.1");
    assert_eq!(c["resources"]["limits"]["cpu"], "2");
    assert_eq!(c["resources"]["requests"]["memory"], "4Gi");
    assert_eq!(
        env_value(sts, "CASSANDRA_SEEDS"),
        "ring-0.ring.default.svc.cluster.local"
    );
    assert_eq!(env_value(sts, "CASSANDRA_CLUSTER_NAME"), "Prod");
    assert_eq!(env_value(sts, "CASSANDRA_DC"), "override");
    assert_eq!(env_value(sts, "CASSANDRA_RACK"), "r2");
    assert_eq!(env_value(sts, "CASSANDRA_NUM_TOKENS"), "16");
    assert_eq!(env_value(sts, "MAX_HEAP_SIZE"), "2G");
    assert_eq!(env_value(sts, "HEAP_NEWSIZE"), "400M");
    assert_eq!(env_value(sts, "CASSANDRA_AUTO_BOOTSTRAP"), "false");
    let claim = &sts["spec"]["volumeClaimTemplates"][0]["spec"];
    assert_eq!(claim["storageClassName"], "premium");
    assert_eq!(claim["resources"]["requests"]["storage"], "50Gi");
    assert_eq!(sts["spec"]["selector"]["matchLabels"]["app"], "ring");
}

#[test]
fn render_is_deterministic_multi_document_yaml() {
    let first = casctl().arg("render").output().unwrap();
    let second = casctl().arg("render").output().unwrap();
    assert_eq!(first.stdout, second.stdout);
    let text = String::from_utf8(first.stdout).unwrap();
    assert_eq!(text.matches("\n---\n").count(), 1, "{text}");
    assert!(
        text.starts_with("apiVersion: v1\nkind: Service\n"),
        "{text}"
    );
    let with_class = casctl()
        .args(["render", "--create-storage-class"])
        .output()
        .unwrap();
    let text = String::from_utf8(with_class.stdout).unwrap();
    assert!(
        text.starts_with("apiVersion: storage.k8s.io/v1\nkind: StorageClass\n"),
        "{text}"
    );
    assert!(text.contains("provisioner: k8s.io/minikube-hostpath"));
}

#[test]
fn bad_values_are_usage_errors_naming_the_flag() {
    let cases: &[(&[&str], &str)] = &[
        (&["--replicas", "0"], "--replicas"),
        (&["--replicas", "-1"], "--replicas"),
        (&["--replicas", "abc"], "--replicas"),
        (&["--replicas", "1000000000"], "--replicas"),
        (&["--name", "Bad_Name"], "--name"),
        (&["-n", "Bad_NS"], "--namespace"),
        (&["--memory", "1Gb"], "--memory"),
        (&["--cpu", "lots"], "--cpu"),
        (&["--storage-size", "1Gb"], "--storage-size"),
        (&["--heap-max", "lots"], "--heap-max"),
        (&["--heap-new", "1.5G"], "--heap-new"),
        (&["--num-tokens", "0"], "--num-tokens"),
        (&["--env", "NOEQUALS"], "--env"),
        (&["--storage-class", "Fast"], "--storage-class"),
        (&["--image", ""], "--image"),
    ];
    for (args, flag) in cases {
        casctl()
            .arg("render")
            .args(*args)
            .assert()
            .code(2)
            .stderr(contains(*flag))
            .stderr(contains("panicked").not());
    }
}

/// The first line clap prints for a refused value.
fn value_error(args: &[&str]) -> String {
    let out = casctl().args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "casctl {args:?}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr.lines().next().unwrap_or_default().to_owned()
}

#[test]
fn a_value_starting_with_a_dash_is_refused_by_its_own_rule() {
    let quantity = "use a Kubernetes quantity such as 500m, 2, 512Mi or 1Gi";
    let duration = "use a number and a unit (s, m or h), e.g. 30s, 5m, 1h or 1m30s";
    let cases: &[(&[&str], &str)] = &[
        (
            &["render", "--storage-size", "-1Gi"],
            &format!(
                "invalid value '-1Gi' for '--storage-size <QUANTITY>': must be more than zero; {quantity}"
            ),
        ),
        (
            &["render", "--memory", "-1Gi"],
            &format!(
                "invalid value '-1Gi' for '--memory <QUANTITY>': must be more than zero; {quantity}"
            ),
        ),
        (
            &["render", "--cpu", "-500m"],
            &format!(
                "invalid value '-500m' for '--cpu <QUANTITY>': must be more than zero; {quantity}"
            ),
        ),
        (
            &["render", "--heap-max", "-1G"],
            "invalid value '-1G' for '--heap-max <SIZE>': not a heap size; use a JVM size such as 512M, 2G or 4096M",
        ),
        (
            &["render", "--heap-new", "-100M"],
            "invalid value '-100M' for '--heap-new <SIZE>': not a heap size; use a JVM size such as 512M, 2G or 4096M",
        ),
        (
            &["render", "--replicas", "-1"],
            "invalid value '-1' for '--replicas <N>': out of range; use a whole number from 1 to 1000",
        ),
        (
            &["render", "--num-tokens", "-x"],
            "invalid value '-x' for '--num-tokens <N>': not a whole number; use a whole number from 1 to 1536",
        ),
        (
            &["up", "--timeout", "-5m"],
            &format!("invalid value '-5m' for '--timeout <DURATION>': not a duration; {duration}"),
        ),
        (
            &["scale", "3", "--timeout", "-1h"],
            &format!("invalid value '-1h' for '--timeout <DURATION>': not a duration; {duration}"),
        ),
        (
            &["down", "--timeout", "-30s"],
            &format!("invalid value '-30s' for '--timeout <DURATION>': not a duration; {duration}"),
        ),
        (
            &["nodetool", "--timeout", "-1m", "--", "status"],
            &format!("invalid value '-1m' for '--timeout <DURATION>': not a duration; {duration}"),
        ),
        (
            &["render", "--rpc-address", "-1"],
            "invalid value '-1' for '--rpc-address <ADDRESS>': not an IP address; use an IPv4 or IPv6 address such as 0.0.0.0 or ::",
        ),
        (
            &["render", "--storage-class", "-fast"],
            "invalid value '-fast' for '--storage-class <CLASS>': is not a DNS-1123 subdomain: use lower-case letters, digits, '-' and '.', or '' for no class",
        ),
        (
            &["render", "--cluster-domain", "-local"],
            "invalid value '-local' for '--cluster-domain <DOMAIN>': is not a DNS-1123 subdomain: use lower-case letters, digits, '-' and '.'",
        ),
        (
            &["render", "--name", "-ring"],
            "invalid value '-ring' for '--name <NAME>': is not a DNS-1123 label: use lower-case letters, digits and '-', starting and ending with a letter or digit",
        ),
        (
            &["status", "-n", "-shop"],
            "invalid value '-shop' for '--namespace <NS>': is not a DNS-1123 label: use lower-case letters, digits and '-', starting and ending with a letter or digit",
        ),
        (
            &["render", "--env", "-X=1"],
            "invalid value '-X=1' for '--env <KEY=VALUE>': '-X' is not a variable name: use letters, digits and '_', not starting with a digit",
        ),
        (
            &["nodetool", "--pod", "-x", "--", "status"],
            "invalid value '-x' for '--pod <POD>': is not a DNS-1123 subdomain: use lower-case letters, digits, '-' and '.'",
        ),
        (
            &["status", "-o", "-x"],
            "invalid value '-x' for '--output <FORMAT>'",
        ),
        (
            &["status", "--color", "-x"],
            "invalid value '-x' for '--color <WHEN>'",
        ),
    ];
    for (args, expected) in cases {
        assert_eq!(
            value_error(args),
            format!("error: {expected}"),
            "casctl {args:?}"
        );
    }
    let image = value_error(&["render", "--image", "-x"]);
    assert!(
        image.starts_with(
            "error: invalid value '-x' for '--image <IMAGE>': repository '-x' must be"
        ),
        "{image}"
    );
}

#[test]
fn names_that_may_start_with_a_dash_are_taken_as_values() {
    let list = render(&["--cluster-name", "-x", "--dc", "-dc", "--rack", "-r"]);
    let sts = item(&list, "StatefulSet");
    assert_eq!(env_value(sts, "CASSANDRA_CLUSTER_NAME"), "-x");
    assert_eq!(env_value(sts, "CASSANDRA_DC"), "-dc");
    assert_eq!(env_value(sts, "CASSANDRA_RACK"), "-r");
}

#[test]
fn a_bad_duration_says_the_accepted_form_in_our_words() {
    let error = value_error(&["up", "--timeout", "abc"]);
    assert_eq!(
        error,
        "error: invalid value 'abc' for '--timeout <DURATION>': not a duration; use a number and \
         a unit (s, m or h), e.g. 30s, 5m, 1h or 1m30s"
    );
    assert_eq!(
        value_error(&["down", "--timeout", "0s"]),
        "error: invalid value '0s' for '--timeout <DURATION>': must be longer than zero; use a \
         number and a unit (s, m or h), e.g. 30s, 5m, 1h or 1m30s"
    );
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = write_kubeconfig(dir.path(), "https://127.0.0.1:9");
    casctl()
        .args(["up", "--dry-run", "--timeout", "1m30s", "--kubeconfig"])
        .arg(kubeconfig)
        .assert()
        .success();
}

#[test]
fn the_image_is_checked_as_an_image_reference() {
    assert_eq!(
        value_error(&["render", "--image", "Cassandra:4.1"]),
        "error: invalid value 'Cassandra:4.1' for '--image <IMAGE>': repository 'Cassandra' must \
         be lower-case; use [REGISTRY/]REPOSITORY[:TAG][@sha256:DIGEST], e.g. cassandra:5.0 or \
         registry.example.com:5000/db/cassandra:5.0"
    );
    assert!(value_error(&["render", "--image", "cassandra:4 .1"]).contains("white space"));
    assert!(value_error(&["render", "--image", "cassandra@sha256:beef"]).contains("digest"));
    let digest = format!("sha256:{}", "ab".repeat(32));
    for image in [
        "cassandra:5.0".to_owned(),
        "registry.example.com:5000/db/cassandra:5.0".to_owned(),
        format!("cassandra@{digest}"),
    ] {
        let list = render(&["--image", &image]);
        let container = &item(&list, "StatefulSet")["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(container["image"], image.as_str());
    }
}

#[test]
fn the_rpc_address_is_an_ip_address() {
    assert_eq!(
        value_error(&["render", "--rpc-address", "localhost"]),
        "error: invalid value 'localhost' for '--rpc-address <ADDRESS>': not an IP address; use an \
         IPv4 or IPv6 address such as 0.0.0.0 or ::"
    );
    for address in ["10.0.0.7", "::"] {
        let list = render(&["--rpc-address", address]);
        assert_eq!(
            env_value(item(&list, "StatefulSet"), "CASSANDRA_RPC_ADDRESS"),
            address
        );
    }
}

#[test]
fn an_empty_storage_class_means_no_class() {
    let list = render(&["--storage-class", ""]);
    let claim = &item(&list, "StatefulSet")["spec"]["volumeClaimTemplates"][0]["spec"];
    assert_eq!(claim["storageClassName"], "");
    let yaml = stdout_of(&["render", "--storage-class", ""]);
    assert!(yaml.contains("\n      storageClassName: \"\"\n"), "{yaml}");
    let out = casctl()
        .args(["render", "--storage-class", "", "--create-storage-class"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: --create-storage-class creates the StorageClass that --storage-class names, and '' \
         names none\n\nUsage: casctl render [OPTIONS]\n\nFor more information, try '--help'.\n"
    );
}

#[test]
fn inconsistent_heap_settings_are_usage_errors_with_a_hint() {
    casctl()
        .args(["render", "--heap-max", "2G"])
        .assert()
        .code(2)
        .stderr(contains("does not fit in the memory limit 1Gi"))
        .stderr(contains("hint: "));
    casctl()
        .args(["render", "--heap-max", "512M", "--heap-new", "512M"])
        .assert()
        .code(2)
        .stderr(contains(
            "HEAP_NEWSIZE 512M is not smaller than MAX_HEAP_SIZE 512M",
        ));
}

#[test]
fn scale_zero_points_at_down() {
    casctl()
        .args(["scale", "0"])
        .assert()
        .code(2)
        .stderr(contains("casctl down"));
    casctl().args(["scale", "-3"]).assert().code(2);
    casctl()
        .args(["up", "--timeout", "soon"])
        .assert()
        .code(2)
        .stderr(contains("--timeout"));
}

#[test]
fn user_templates_replace_the_built_in_ones() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    std::fs::copy(root.join("service.yaml"), dir.path().join("service.yaml")).unwrap();
    let sts = std::fs::read_to_string(root.join("statefulset.yaml")).unwrap();
    std::fs::write(
        dir.path().join("statefulset.yaml"),
        sts.replace("value: K8Demo", "value: Custom"),
    )
    .unwrap();
    let templates = dir.path().to_str().unwrap();
    let list = render(&["--templates", templates]);
    assert_eq!(
        env_value(item(&list, "StatefulSet"), "CASSANDRA_CLUSTER_NAME"),
        "Custom"
    );

    std::fs::write(
        dir.path().join("statefulset.yaml"),
        sts.replace("serviceName:", "servceName:"),
    )
    .unwrap();
    casctl()
        .args(["render", "--templates", templates])
        .assert()
        .code(2)
        .stderr(contains("spec.servceName"))
        .stderr(contains("hint:"));
}

#[test]
fn a_template_with_two_objects_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let service = std::fs::read_to_string(root.join("service.yaml")).unwrap();
    std::fs::write(
        dir.path().join("service.yaml"),
        format!("{service}---\n{service}"),
    )
    .unwrap();
    std::fs::copy(
        root.join("statefulset.yaml"),
        dir.path().join("statefulset.yaml"),
    )
    .unwrap();
    let out = casctl()
        .args(["render", "--templates", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: service.yaml holds 2 YAML documents; casctl reads one object per file\n\
         hint: put one object in each of service.yaml, statefulset.yaml and (optionally) \
         storageclass.yaml\n"
    );
}

#[test]
fn a_closed_stdout_exits_quietly() {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_casctl"))
        .args(["render", "--replicas", "1000"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{:?}", out.status);
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

fn completions_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("completions")
}

/// The files in completions/ are what `casctl completions` prints. Regenerate them with
/// `CASCTL_UPDATE_COMPLETIONS=1 cargo test --test cli completions`.
#[test]
fn completion_files_match_the_generated_ones() {
    let files = [
        ("bash", "casctl.bash"),
        ("zsh", "_casctl"),
        ("fish", "casctl.fish"),
        ("powershell", "_casctl.ps1"),
        ("elvish", "casctl.elv"),
    ];
    for (shell, file) in files {
        let out = casctl().args(["completions", shell]).output().unwrap();
        assert!(out.status.success());
        let path = completions_dir().join(file);
        if std::env::var_os("CASCTL_UPDATE_COMPLETIONS").is_some() {
            std::fs::write(&path, &out.stdout).unwrap();
        }
        let committed = std::fs::read(&path).unwrap_or_default();
        assert!(
            committed == out.stdout,
            "{} differs from `casctl completions {shell}`; run CASCTL_UPDATE_COMPLETIONS=1 cargo test --test cli completions",
            path.display()
        );
    }
}

#[test]
fn the_man_page_is_roff() {
    casctl()
        .arg("man")
        .assert()
        .success()
        .stdout(predicate::str::starts_with(".ie \\n(.g .ds Aq \\(aq\n"))
        .stdout(contains("\n.TH casctl 1 "))
        .stdout(contains("\n.SH \"GLOBAL OPTIONS\"\n"))
        .stdout(contains("casctl\\-render(1)"));
}

/// The binary under the name kubectl runs it by (`kubectl casctl …` executes `kubectl-casctl`),
/// linked into `dir`.
fn link_as_kubectl_plugin(dir: &Path) -> PathBuf {
    let plugin = dir.join(format!("kubectl-casctl{}", std::env::consts::EXE_SUFFIX));
    #[cfg(unix)]
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_casctl"), &plugin).unwrap();
    #[cfg(not(unix))]
    std::fs::copy(env!("CARGO_BIN_EXE_casctl"), &plugin).unwrap();
    plugin
}

fn run_plugin(plugin: &Path) -> Command {
    let mut cmd = Command::new(plugin);
    cmd.env_remove("KUBECONFIG")
        .env("HOME", "/nonexistent")
        .env("NO_COLOR", "1");
    cmd
}

#[test]
fn as_a_kubectl_plugin_it_is_kubectl_casctl() {
    let dir = tempfile::tempdir().unwrap();
    let path = link_as_kubectl_plugin(dir.path());
    let plugin = || run_plugin(&path);
    plugin()
        .arg("--version")
        .assert()
        .success()
        .stdout(format!("casctl {}\n", env!("CARGO_PKG_VERSION")));
    let help = String::from_utf8(plugin().arg("--help").output().unwrap().stdout).unwrap();
    assert!(
        help.contains("\nUsage: kubectl casctl [OPTIONS] <COMMAND>\n"),
        "{help}"
    );
    assert!(
        help.contains("\n  kubectl casctl status -n shop\n"),
        "{help}"
    );
    let up = String::from_utf8(plugin().args(["up", "--help"]).output().unwrap().stdout).unwrap();
    assert!(
        up.contains("\nUsage: kubectl casctl up [OPTIONS]\n"),
        "{up}"
    );
    assert_eq!(
        examples_in(&up),
        [
            "kubectl casctl up -n shop --replicas 3 --storage-class standard",
            "kubectl casctl up -n shop --dry-run=server   # what would be created or changed, field by field",
            "kubectl casctl up -n shop --racks a,b,c --replicas 6   # a StatefulSet per rack, one zone each"
        ]
    );
    plugin().args(["up", "--bogus"]).assert().code(2).stderr(
        "error: unexpected argument '--bogus' found\n\n\
             Usage: kubectl casctl up [OPTIONS]\n\n\
             For more information, try '--help'.\n",
    );
    plugin()
        .arg("sclae")
        .assert()
        .code(2)
        .stderr(contains("Usage: kubectl casctl [OPTIONS] <COMMAND>"));
}

#[test]
fn as_a_kubectl_plugin_completions_and_the_man_page_stay_casctl() {
    let dir = tempfile::tempdir().unwrap();
    let committed = std::fs::read(completions_dir().join("casctl.bash")).unwrap();
    let plugin = link_as_kubectl_plugin(dir.path());
    let out = run_plugin(&plugin)
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(
        out.stdout == committed,
        "bash completions differ as kubectl-casctl"
    );
    let man = run_plugin(&plugin).arg("man").output().unwrap();
    assert_eq!(man.stdout, casctl().arg("man").output().unwrap().stdout);
}

#[test]
fn the_krew_manifest_installs_this_binary_as_kubectl_casctl() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("krew/casctl.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let manifest: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    assert_eq!(
        manifest["apiVersion"],
        "krew.googlecontainertools.github.com/v1alpha2"
    );
    assert_eq!(manifest["kind"], "Plugin");
    assert_eq!(manifest["metadata"]["name"], "casctl");
    let spec = &manifest["spec"];
    assert_eq!(
        spec["version"],
        format!("v{}", env!("CARGO_PKG_VERSION")),
        "krew's version follows Cargo.toml"
    );
    assert!(
        spec["shortDescription"]
            .as_str()
            .is_some_and(|d| !d.is_empty())
    );
    assert!(
        spec["description"]
            .as_str()
            .is_some_and(|d| d.contains("kubectl casctl"))
    );
    let platforms = spec["platforms"].as_array().unwrap();
    assert!(!platforms.is_empty());
    for platform in platforms {
        assert_eq!(platform["bin"], "kubectl-casctl", "{platform}");
        assert_eq!(platform["files"][0]["from"], "casctl", "{platform}");
        assert_eq!(platform["files"][0]["to"], "kubectl-casctl", "{platform}");
        let sha256 = platform["sha256"].as_str().unwrap();
        assert!(sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(platform["uri"].as_str().unwrap().starts_with("https://"));
    }
}

#[test]
fn the_readme_installs_the_plugin_as_the_tests_run_it() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    for line in [
        "ln -s \"$(command -v casctl)\" ~/.local/bin/kubectl-casctl",
        "kubectl krew install --manifest=krew/casctl.yaml",
    ] {
        assert!(readme.contains(line), "README.md lacks: {line}");
    }
}

fn write_kubeconfig(dir: &Path, server: &str) -> PathBuf {
    let path = dir.join("kubeconfig");
    let text = format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: closed\nclusters:\n- name: closed\n  cluster:\n    server: {server}\n\
         contexts:\n- name: closed\n  context:\n    cluster: closed\n    user: me\nusers:\n- name: me\n  user:\n    token: t\n"
    );
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn an_unreachable_api_server_is_named_within_seconds() {
    // Port 9 (discard) on loopback: nothing listens, the connection is refused.
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = write_kubeconfig(dir.path(), "https://127.0.0.1:9");
    // A hang guard, not a measurement: casctl's own limit (10 s) decides the outcome.
    casctl()
        .timeout(Duration::from_secs(60))
        .args(["up", "--kubeconfig", kubeconfig.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(contains(
            "cannot reach the API server at https://127.0.0.1:9",
        ))
        .stderr(contains("context \"closed\""))
        .stderr(contains("hint:"));
}

#[test]
fn an_unknown_context_lists_the_known_ones() {
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = write_kubeconfig(dir.path(), "https://127.0.0.1:9");
    casctl()
        .args([
            "status",
            "--context",
            "prod",
            "--kubeconfig",
            kubeconfig.to_str().unwrap(),
        ])
        .assert()
        .code(1)
        .stderr(contains("context \"prod\" is not in the kubeconfig"))
        .stderr(contains("contexts there: closed"));
}

#[test]
fn a_missing_kubeconfig_is_explained() {
    casctl()
        .args(["status", "--kubeconfig", "/nonexistent/kubeconfig"])
        .assert()
        .code(1)
        .stderr(contains(
            "cannot read the kubeconfig /nonexistent/kubeconfig",
        ))
        .stderr(contains("hint:"));
    casctl()
        .arg("status")
        .assert()
        .code(1)
        .stderr(contains("no kubeconfig found"))
        .stderr(contains("--kubeconfig"));
}

#[test]
fn dry_run_client_prints_without_a_cluster() {
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = write_kubeconfig(dir.path(), "https://127.0.0.1:9");
    casctl()
        .args([
            "up",
            "--dry-run",
            "-n",
            "shop",
            "--kubeconfig",
            kubeconfig.to_str().unwrap(),
        ])
        .assert()
        .success()
        .stdout(contains("kind: StatefulSet"))
        .stdout(contains("cassandra-0.cassandra.shop.svc.cluster.local"));
}

/// Rust's debug output in what a user reads: a struct dump, an `Option`, a quoted path.
fn assert_clean(what: &str, stderr: &str) {
    for pattern in [
        "Some(", "None,", "None)", " { ", "Status {", "Error {", "'\"", "\"'",
    ] {
        assert!(
            !stderr.contains(pattern),
            "{what}: debug output `{pattern}` in:\n{stderr}"
        );
    }
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    for (i, line) in lines.iter().enumerate() {
        assert!(
            !lines[i + 1..].contains(line),
            "{what}: the line {line:?} is printed twice:\n{stderr}"
        );
    }
}

#[test]
fn no_error_path_prints_debug_output_or_repeats_itself() {
    let dir = tempfile::tempdir().unwrap();
    let unreachable = write_kubeconfig(dir.path(), "https://127.0.0.1:9");
    let missing = dir.path().join("missing");
    let garbage = dir.path().join("garbage");
    std::fs::write(&garbage, "{{{ not yaml").unwrap();
    let plugin = dir.path().join("plugin");
    std::fs::write(
        &plugin,
        "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: k\n  cluster: {server: 'https://127.0.0.1:9'}\n\
         contexts:\n- name: c\n  context: {cluster: k, user: u}\nusers:\n- name: u\n  user:\n    exec:\n      \
         apiVersion: client.authentication.k8s.io/v1beta1\n      command: no-such-credential-plugin\n      interactiveMode: Never\n",
    )
    .unwrap();
    let bad_templates = dir.path().join("templates");
    std::fs::create_dir(&bad_templates).unwrap();
    std::fs::write(
        bad_templates.join("service.yaml"),
        "kind: Service\nspec: {servceName: x}\n",
    )
    .unwrap();
    // YAML the library would explain with its own advice and a code snippet.
    let yaml_cases = [
        (
            "duplicate key",
            "kind: Service\nmetadata: {name: a, name: b}\n",
        ),
        ("two documents", "kind: Service\n---\nkind: Service\n"),
        ("another kind", "kind: ConfigMap\ndata: {a: b}\n"),
    ];
    let mut yaml_dirs = Vec::new();
    for (what, service) in yaml_cases {
        let templates = dir.path().join(what.replace(' ', "-"));
        std::fs::create_dir(&templates).unwrap();
        std::fs::write(templates.join("service.yaml"), service).unwrap();
        yaml_dirs.push((what, templates));
    }
    let echo_plugin = dir.path().join("echo-plugin");
    std::fs::write(
        &echo_plugin,
        std::fs::read_to_string(&plugin)
            .unwrap()
            .replace("no-such-credential-plugin", "/bin/echo")
            .replace(
                "interactiveMode: Never\n",
                "interactiveMode: Never\n      args: [garbage]\n",
            ),
    )
    .unwrap();
    let path = |p: &Path| p.to_str().unwrap().to_owned();
    let mut cases: Vec<(&str, Vec<String>)> = vec![
        (
            "credential plugin printing garbage",
            vec!["status".into(), "--kubeconfig".into(), path(&echo_plugin)],
        ),
        (
            "missing kubeconfig",
            vec!["status".into(), "--kubeconfig".into(), path(&missing)],
        ),
        (
            "garbage kubeconfig",
            vec!["status".into(), "--kubeconfig".into(), path(&garbage)],
        ),
        (
            "unknown context",
            vec![
                "status".into(),
                "--kubeconfig".into(),
                path(&unreachable),
                "--context".into(),
                "nope".into(),
            ],
        ),
        (
            "unreachable server",
            vec!["status".into(), "--kubeconfig".into(), path(&unreachable)],
        ),
        (
            "missing credential plugin",
            vec!["status".into(), "--kubeconfig".into(), path(&plugin)],
        ),
        (
            "bad templates",
            vec!["render".into(), "--templates".into(), path(&bad_templates)],
        ),
        (
            "bad value",
            vec!["up".into(), "--storage-size".into(), "1Gb".into()],
        ),
        (
            "bad duration",
            vec!["up".into(), "--timeout".into(), "abc".into()],
        ),
    ];
    for (what, templates) in &yaml_dirs {
        cases.push((
            what,
            vec!["render".into(), "--templates".into(), path(templates)],
        ));
    }
    for (what, args) in cases {
        let out = casctl()
            .args(&args)
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap();
        assert!(!out.status.success(), "{what} succeeded");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_clean(what, &stderr);
        // The YAML library's own advice and snippets stay out.
        for pattern in ["-->", "from_str_multiple", "DuplicateKeyPolicy", " | "] {
            assert!(
                !stderr.contains(pattern),
                "{what}: `{pattern}` in:\n{stderr}"
            );
        }
    }
}

#[test]
fn a_missing_file_in_a_kubeconfig_list_is_skipped_as_kubectl_does() {
    let dir = tempfile::tempdir().unwrap();
    let good = write_kubeconfig(dir.path(), "https://127.0.0.1:9");
    let list = format!(
        "{}:{}",
        dir.path().join("missing").display(),
        good.display()
    );
    casctl()
        .env("KUBECONFIG", list)
        .args(["status"])
        .timeout(Duration::from_secs(60))
        .assert()
        .code(1)
        .stderr(contains(
            "cannot reach the API server at https://127.0.0.1:9",
        ));
    casctl()
        .env("KUBECONFIG", dir.path().join("missing"))
        .args(["status"])
        .assert()
        .code(1)
        .stderr(contains("none of the kubeconfig files"));
}

#[test]
fn a_missing_credential_plugin_is_named_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let plugin = dir.path().join("kubeconfig");
    std::fs::write(
        &plugin,
        "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: k\n  cluster: {server: 'https://127.0.0.1:9'}\n\
         contexts:\n- name: c\n  context: {cluster: k, user: u}\nusers:\n- name: u\n  user:\n    exec:\n      \
         apiVersion: client.authentication.k8s.io/v1beta1\n      command: no-such-credential-plugin\n      interactiveMode: Never\n",
    )
    .unwrap();
    casctl()
        .args(["status", "--kubeconfig", plugin.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(contains(
            "the credential plugin `no-such-credential-plugin` of context \"c\" is not installed",
        ))
        .stderr(contains("hint: install `no-such-credential-plugin`"));
}

/// A template or kubeconfig error: one line per cause in casctl's words, never the YAML
/// library's snippet (`-->`, `5 | …`, ` | ^`) or its advice to the programmer.
fn assert_no_yaml_snippet(what: &str, stderr: &str) {
    for line in stderr.lines() {
        let code = line.trim_start();
        let numbered = code
            .split_once(" |")
            .is_some_and(|(n, _)| !n.is_empty() && n.trim().chars().all(|c| c.is_ascii_digit()));
        assert!(
            !code.starts_with("-->") && !code.starts_with('|') && !numbered,
            "{what}: a snippet line {line:?} in:\n{stderr}"
        );
    }
    for advice in ["DuplicateKeyPolicy", "Options", "<input>"] {
        assert!(!stderr.contains(advice), "{what}: {advice} in:\n{stderr}");
    }
}

fn templates_with(edit: impl Fn(&str) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    std::fs::copy(
        root.join("statefulset.yaml"),
        dir.path().join("statefulset.yaml"),
    )
    .unwrap();
    let service = std::fs::read_to_string(root.join("service.yaml")).unwrap();
    std::fs::write(dir.path().join("service.yaml"), edit(&service)).unwrap();
    dir
}

#[test]
fn template_parse_errors_are_said_in_casctls_words() {
    let dir = templates_with(|s| {
        s.replacen(
            "  name: cassandra\n",
            "  name: cassandra\n  name: other\n",
            1,
        )
    });
    let out = casctl()
        .args(["render", "--templates"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("caused by: service.yaml:7:3: duplicate key `name`\n"),
        "{stderr}"
    );
    assert_no_yaml_snippet("duplicate key", &stderr);

    let dir = templates_with(|s| s.replace("kind: Service", "kind: ConfigMap"));
    let out = casctl()
        .args(["render", "--templates"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("service.yaml:4:1: "), "{stderr}");
    assert!(stderr.contains("ConfigMap"), "{stderr}");
    assert_no_yaml_snippet("another kind", &stderr);
}

#[test]
fn a_garbage_kubeconfig_or_credential_output_reads_clean() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage");
    std::fs::write(&garbage, "garbage: [\n").unwrap();
    let out = casctl()
        .args(["status", "--kubeconfig"])
        .arg(&garbage)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("{}:1:10: ", garbage.display())),
        "{stderr}"
    );
    assert_no_yaml_snippet("garbage kubeconfig", &stderr);

    let echo = dir.path().join("echo");
    std::fs::write(
        &echo,
        "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: k\n  cluster: {server: 'https://127.0.0.1:9'}\n\
         contexts:\n- name: c\n  context: {cluster: k, user: u}\nusers:\n- name: u\n  user:\n    exec:\n      \
         apiVersion: client.authentication.k8s.io/v1\n      command: /bin/echo\n      args: [garbage]\n      interactiveMode: Never\n",
    )
    .unwrap();
    let out = casctl()
        .args(["status", "--kubeconfig"])
        .arg(&echo)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr
            .contains("the credential plugin `/bin/echo` of context \"c\" printed no credentials"),
        "{stderr}"
    );
    assert!(stderr.contains("hint: run `/bin/echo`"), "{stderr}");
    assert_no_yaml_snippet("credential plugin output", &stderr);
}

#[test]
fn a_kubeconfig_without_contexts_says_how_to_add_one() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::write(&empty, "").unwrap();
    casctl()
        .args(["status", "--kubeconfig"])
        .arg(&empty)
        .assert()
        .code(1)
        .stderr(contains("has no contexts"))
        .stderr(contains("kubectl config set-context"))
        .stderr(contains("pass --context").not());
}

#[test]
fn usage_errors_of_the_plugin_name_kubectl_casctl() {
    let dir = tempfile::tempdir().unwrap();
    let path = link_as_kubectl_plugin(dir.path());
    let out = run_plugin(&path).args(["scale", "0"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("use `kubectl casctl down`"), "{stderr}");
    let help = String::from_utf8(
        run_plugin(&path)
            .args(["scale", "--help"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(help.contains("`kubectl casctl down`"), "{help}");
    assert!(!help.contains(" `casctl "), "{help}");
}

#[test]
fn timeout_is_the_whole_commands_budget_in_help_and_readme() {
    let help = stdout_of(&["up", "--help"]);
    let timeout: String = help
        .lines()
        .skip_while(|l| !l.contains("--timeout <DURATION>"))
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ");
    assert!(timeout.contains("the whole command"), "{timeout}");
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    assert!(
        readme.contains("`--timeout` is the whole\n   command's budget")
            || readme.contains("`--timeout` is the whole command's budget"),
    );
}

#[test]
fn yes_without_purge_volumes_is_a_usage_error() {
    casctl()
        .args(["down", "--yes"])
        .assert()
        .code(2)
        .stderr(contains("--yes answers the question of --purge-volumes"));
}

#[test]
fn verbose_render_and_rbac_say_what_they_read_and_how_long() {
    let out = casctl().args(["render", "-v"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("reading the built-in templates and setting their fields ("),
        "{stderr}"
    );
    assert!(stderr.contains(" ms)"), "{stderr}");
    let dir = templates_with(str::to_owned);
    let out = casctl()
        .args(["render", "-v", "--templates"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "reading the templates in {} and setting their fields (",
            dir.path().display()
        )),
        "{stderr}"
    );
    let out = casctl()
        .args(["rbac", "-v", "-n", "shop", "--user", "alice"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains(" ms)"), "{stderr}");
    // Without -v, nothing of the sort.
    let out = casctl().args(["render"]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}
