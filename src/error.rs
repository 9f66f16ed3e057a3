//! Exit codes and the errors that carry one, with a hint for the user.

use std::fmt;

/// The documented exit codes (README "Exit codes").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// 0: done.
    Ok = 0,
    /// 1: an error (the message says what happened).
    Error = 1,
    /// 2: bad usage: a flag or value the command does not accept.
    Usage = 2,
    /// 3: timed out waiting (for a rollout, a decommission, pods to terminate).
    TimedOut = 3,
    /// 4: `status` found the ring degraded.
    Degraded = 4,
    /// 130: interrupted (Ctrl-C); what was applied stays, re-running resumes.
    Interrupted = 130,
}

impl From<Code> for std::process::ExitCode {
    fn from(code: Code) -> Self {
        std::process::ExitCode::from(code as u8)
    }
}

/// What the program ends with: one of the documented codes, or a remote command's exit status
/// passed through (`casctl nodetool`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Code(Code),
    Remote(u8),
}

impl From<Code> for Outcome {
    fn from(code: Code) -> Self {
        Outcome::Code(code)
    }
}

impl From<Outcome> for std::process::ExitCode {
    fn from(outcome: Outcome) -> Self {
        match outcome {
            Outcome::Code(code) => code.into(),
            Outcome::Remote(status) => std::process::ExitCode::from(status),
        }
    }
}

/// An error the user can act on: a message, an optional hint and the exit code it maps to.
///
/// Used either on its own or as the context of a lower-level error, whose chain is then printed
/// below it.
#[derive(Debug)]
pub struct UserError {
    message: String,
    hint: Option<String>,
    code: Code,
}

impl UserError {
    pub fn new(message: impl Into<String>) -> Self {
        UserError {
            message: message.into(),
            hint: None,
            code: Code::Error,
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        UserError::new(message).code(Code::Usage)
    }

    pub fn timed_out(message: impl Into<String>) -> Self {
        UserError::new(message).code(Code::TimedOut)
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn code(mut self, code: Code) -> Self {
        self.code = code;
        self
    }
}

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for UserError {}

/// The exit code and hint an error maps to: those of the outermost [`UserError`] (attached as
/// context or being the error itself); 1 and no hint otherwise.
pub fn classify(err: &anyhow::Error) -> (Code, Option<&str>) {
    // `downcast_ref` sees context values too; walking the chain finds a UserError deeper down
    // that carries the hint the outer one lacks.
    let outer = err.downcast_ref::<UserError>();
    let code = outer.map_or(Code::Error, |u| u.code);
    let hint = outer.and_then(|u| u.hint.as_deref()).or_else(|| {
        err.chain()
            .filter_map(|e| e.downcast_ref::<UserError>())
            .find_map(|u| u.hint.as_deref())
    });
    (code, hint)
}

/// Whether the error is a closed stdout pipe (`casctl render | head -1`): not worth reporting.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn the_outer_user_error_decides_the_code_and_hint() {
        let inner: anyhow::Result<()> = Err(anyhow::anyhow!("connection refused"));
        let err = inner
            .context(UserError::timed_out("waiting for pods").hint("raise --timeout"))
            .unwrap_err();
        assert_eq!(classify(&err), (Code::TimedOut, Some("raise --timeout")));
    }

    #[test]
    fn plain_errors_are_code_one_without_hint() {
        let err = anyhow::anyhow!("boom");
        assert_eq!(classify(&err), (Code::Error, None));
    }

    #[test]
    fn broken_pipes_are_recognised_through_context() {
        let io = std::io::Error::new(std::io::ErrorKind::BrokenPipe, "closed");
        let err = anyhow::Error::new(io).context("writing the manifests");
        assert!(is_broken_pipe(&err));
        assert!(!is_broken_pipe(&anyhow::anyhow!("other")));
    }
}
