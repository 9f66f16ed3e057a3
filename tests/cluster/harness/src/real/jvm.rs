//! The JVMs of the real ring: starting a node's JVM in a session of its own (so that stopping
//! the daemon does not stop it), finding it again after a daemon restart, stopping it, turning
//! its output into the container log kwok serves, and running nodetool.

use std::fs::OpenOptions;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};

use super::config::{self, Cds};
use super::logstate::{self, Transition};
use crate::daemon::Settings;
use crate::protocol::{Output, Response};

/// How the daemon and the nodetool front run Cassandra's NodeTool: a fresh JVM per call, with
/// an AppCDS archive of the classes it loads (made once per Cassandra and Java version).
pub struct NodetoolRuntime {
    java: PathBuf,
    lib: Option<PathBuf>,
    tools_home: PathBuf,
    archive: Option<PathBuf>,
    /// Set once a call has tried to write the archive (it is tried once per daemon).
    dumped: AtomicBool,
}

impl NodetoolRuntime {
    pub fn new(settings: &Settings) -> Result<Self> {
        let tools_home = settings.home.join("nodetool");
        std::fs::create_dir_all(&tools_home)?;
        std::fs::write(tools_home.join("logback-tools.xml"), config::LOGBACK_TOOLS)?;
        let archive = settings
            .cassandra
            .as_ref()
            .map(|dir| dir.join(format!("nodetool-{}.jsa", java_fingerprint(&settings.java))));
        Ok(NodetoolRuntime {
            java: settings.java.clone(),
            lib: settings.cassandra.as_ref().map(|d| d.join("lib")),
            tools_home,
            archive,
            dumped: AtomicBool::new(false),
        })
    }

    pub fn java(&self) -> &Path {
        &self.java
    }

    /// The Cassandra jars, if installed.
    pub fn lib(&self) -> Option<&Path> {
        self.lib.as_deref()
    }

    fn cds(&self) -> Cds<'_> {
        match &self.archive {
            Some(a) if a.is_file() => Cds::Use(a),
            _ => Cds::Off,
        }
    }

    /// What the nodetool front runs for `args` against the node at `ip`.
    pub fn exec(&self, ip: &str, args: &[String]) -> Response {
        let Some(lib) = &self.lib else {
            return Response::Output(Output {
                stderr: "nodetool: Cassandra is not installed on the local control plane (tests/local-cluster up installs it)\n".into(),
                code: 1,
                ..Output::default()
            });
        };
        Response::Exec {
            program: self.java.to_string_lossy().into_owned(),
            args: config::nodetool_args(lib, &self.tools_home, self.cds(), ip, args),
        }
    }

    /// Runs nodetool for the daemon itself (readiness, drain). The first call writes the
    /// class-data archive (to a temporary file, renamed when complete); writing it may fail
    /// that call's exit status, never its output.
    pub async fn run(&self, ip: &str, args: &[&str], timeout: Duration) -> Option<Output> {
        let lib = self.lib.as_ref()?;
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let temporary = self
            .archive
            .as_ref()
            .map(|a| a.with_extension(format!("{}.tmp", std::process::id())));
        let dump = match (&self.archive, &temporary) {
            (Some(a), Some(t)) if !a.is_file() && !self.dumped.swap(true, Ordering::SeqCst) => {
                Some((a, t))
            }
            _ => None,
        };
        let cds = match dump {
            Some((_, t)) => Cds::Dump(t),
            None => self.cds(),
        };
        let argv = config::nodetool_args(lib, &self.tools_home, cds, ip, &args);
        let child = tokio::process::Command::new(&self.java)
            .args(&argv)
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .output();
        let result = tokio::time::timeout(timeout, child).await;
        if let Some((archive, tmp)) = dump {
            let ok = matches!(&result, Ok(Ok(o)) if o.status.success()) && tmp.is_file();
            if ok {
                let _ = std::fs::rename(tmp, archive);
            } else {
                let _ = std::fs::remove_file(tmp);
                crate::log!(
                    "could not write the class-data archive of nodetool; running without it"
                );
            }
        }
        let output = result.ok()?.ok()?;
        Some(Output {
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            code: exit_code(output.status),
        })
    }
}

/// Identifies the Java installation: a class-data archive only fits the JVM that wrote it.
fn java_fingerprint(java: &Path) -> String {
    let home = java
        .parent()
        .and_then(Path::parent)
        .unwrap_or(Path::new("/"));
    let modules = std::fs::metadata(home.join("lib/modules"));
    let stamp = modules
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs());
    format!(
        "{:08x}",
        crate::print::java_string_hash(&format!("{}:{stamp}", home.display()))
    )
}

/// A process's exit status as a shell reports it (128 + signal when killed).
pub fn exit_code(status: std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt as _;
    status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(255)
}

/// A node's JVM: started by this daemon, or found running by it.
pub enum Jvm {
    Child(tokio::process::Child, i32),
    Adopted(i32),
}

impl Jvm {
    pub fn pid(&self) -> i32 {
        match self {
            Jvm::Child(_, pid) | Jvm::Adopted(pid) => *pid,
        }
    }

    /// Waits for it to exit; its exit code (255 for a JVM that was not this daemon's child).
    /// Safe to cancel and call again.
    pub async fn wait(&mut self) -> i32 {
        match self {
            Jvm::Child(child, _) => child.wait().await.map(exit_code).unwrap_or(255),
            Jvm::Adopted(pid) => {
                while alive(*pid) {
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                255
            }
        }
    }

    /// Sends a signal to the JVM's process group.
    pub fn signal(&self, signal: i32) {
        // SAFETY: kill(2) with a process group of our own making; no memory is involved.
        unsafe {
            libc::kill(-self.pid(), signal);
        }
    }
}

fn alive(pid: i32) -> bool {
    // SAFETY: kill(2) with signal 0 only checks that the process exists.
    unsafe { libc::kill(pid, 0) == 0 }
}

/// Starts the JVM in a session of its own, its stdout and stderr appended to `raw`, and
/// records its pid (with the container instance) in `pid_file`.
pub fn spawn(
    java: &Path,
    args: &[String],
    raw: &Path,
    pid_file: &Path,
    instance: u32,
) -> Result<Jvm> {
    let out = OpenOptions::new()
        .create(true)
        .append(true)
        .open(raw)
        .with_context(|| format!("opening {}", raw.display()))?;
    let err = out.try_clone()?;
    let mut command = tokio::process::Command::new(java);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .kill_on_drop(false);
    // SAFETY: setsid(2) is async-signal-safe, as required between fork and exec.
    unsafe {
        command.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    let child = command
        .spawn()
        .with_context(|| format!("starting {}", java.display()))?;
    let pid = child.id().map_or(0, |p| p as i32);
    std::fs::write(pid_file, format!("{pid} {instance}\n"))?;
    Ok(Jvm::Child(child, pid))
}

/// The JVM of `pod_key` that an earlier daemon started, if it still runs: it and its container
/// instance.
pub fn adopt(pid_file: &Path, pod_key: &str) -> Option<(Jvm, u32)> {
    let text = std::fs::read_to_string(pid_file).ok()?;
    let mut words = text.split_whitespace();
    let pid: i32 = words.next()?.parse().ok()?;
    let instance: u32 = words.next()?.parse().ok()?;
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let marker = format!("{}{pod_key}", config::POD_PROPERTY);
    let ours = cmdline
        .split(|b| *b == 0)
        .any(|arg| arg == marker.as_bytes());
    (ours && alive(pid)).then_some((Jvm::Adopted(pid), instance))
}

/// Copies what a JVM writes (its raw output file) into the container log in the CRI format
/// kwok reads (`<time> stdout F <line>`), and reports the node's state transitions on the way.
/// Where it is in the raw file is saved, so that a daemon restart neither loses nor repeats.
pub struct LogFollower {
    raw: PathBuf,
    log: PathBuf,
    offset_file: PathBuf,
    offset: u64,
    partial: Vec<u8>,
}

impl LogFollower {
    pub fn new(raw: PathBuf, log: PathBuf) -> Self {
        let offset_file = raw.with_extension("offset");
        let offset = std::fs::read_to_string(&offset_file)
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0);
        LogFollower {
            raw,
            log,
            offset_file,
            offset,
            partial: Vec::new(),
        }
    }

    /// Copies the new complete lines (all of them, the last one too, when `flush`).
    pub fn pump(&mut self, flush: bool) -> Vec<Transition> {
        let mut fresh = Vec::new();
        let read = std::fs::File::open(&self.raw).and_then(|mut f| {
            f.seek(SeekFrom::Start(self.offset))?;
            f.read_to_end(&mut fresh)
        });
        let Ok(n) = read else {
            return Vec::new();
        };
        self.offset += n as u64;
        self.partial.extend_from_slice(&fresh);
        let cut = if flush {
            self.partial.len()
        } else {
            self.partial
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(0, |i| i + 1)
        };
        if cut == 0 {
            return Vec::new();
        }
        let complete: Vec<u8> = self.partial.drain(..cut).collect();
        let text = String::from_utf8_lossy(&complete);
        let now = k8s_openapi::jiff::Timestamp::now().to_string();
        let mut cri = String::with_capacity(text.len() + 64);
        let mut transitions = Vec::new();
        for line in text.lines() {
            cri.push_str(&format!("{now} stdout F {line}\n"));
            transitions.extend(logstate::transition(line));
        }
        let written = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .and_then(|mut f| f.write_all(cri.as_bytes()));
        if written.is_ok() {
            let consumed = self.offset - self.partial.len() as u64;
            let _ = std::fs::write(&self.offset_file, consumed.to_string());
        }
        transitions
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_follower_writes_cri_lines_and_resumes_where_it_stopped() {
        let dir = tempfile::tempdir().unwrap();
        let raw = dir.path().join("c-0.raw");
        let log = dir.path().join("c-0.log");
        std::fs::write(&raw, "INFO  [main] x.java:1 - JOINING: waiting\nhalf a li").unwrap();
        let mut f = LogFollower::new(raw.clone(), log.clone());
        assert_eq!(f.pump(false), [Transition::NotNormal]);
        let mut out = OpenOptions::new().append(true).open(&raw).unwrap();
        out.write_all(b"ne\nINFO  [main] y.java:2 - Startup complete\n")
            .unwrap();
        assert_eq!(f.pump(false), [Transition::Started]);
        let text = std::fs::read_to_string(&log).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[1].ends_with(" stdout F half a line"), "{}", lines[1]);
        let (time, _) = lines[0].split_once(' ').unwrap();
        assert!(time.ends_with('Z') && time.contains('T'), "{time}");

        out.write_all(b"This node was decommissioned").unwrap();
        let mut again = LogFollower::new(raw, log.clone());
        assert!(again.pump(true).is_empty());
        let text = std::fs::read_to_string(&log).unwrap();
        assert_eq!(text.lines().count(), 4);
        assert!(text.ends_with("stdout F This node was decommissioned\n"));
    }
}
