//! A bearer token from a command, the way partners get one
//! (`az account get-access-token --resource https://api.partner.microsoft.com --query
//! accessToken -o tsv`): its standard output, trimmed. The client runs the command again,
//! once, when the target answers 401 (the token expired during a long run).

/// The most of a token command's output that is read.
const OUTPUT_LIMIT: u64 = 64 * 1024;

/// Why the command gave no token. The messages never hold the token.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("--token-command: cannot run the command: {0}")]
    Spawn(std::io::Error),
    #[error("--token-command: cannot read its output: {0}")]
    Read(std::io::Error),
    #[error("--token-command did not finish within {0} s (--token-timeout): killed")]
    Timeout(u64),
    #[error("--token-command exited with {0}")]
    Failed(std::process::ExitStatus),
    #[error("--token-command printed something that is not text")]
    NotText,
    #[error("--token-command printed no token")]
    Empty,
}

/// Runs `command` with `sh -c` in a process group of its own (its standard error goes to
/// ours) and returns what it printed, trimmed; after `limit` the whole group is killed.
pub fn from_command(command: &str, limit: std::time::Duration) -> Result<String, TokenError> {
    use std::io::Read as _;
    use std::os::unix::process::CommandExt as _;
    let mut child = std::process::Command::new("sh")
        .args(["-c", command])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .process_group(0)
        .spawn()
        .map_err(TokenError::Spawn)?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| TokenError::Read(std::io::Error::other("no standard output")))?;
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut output = Vec::new();
        let read = stdout.take(OUTPUT_LIMIT).read_to_end(&mut output);
        let _ = sender.send(read.map(|_| output));
    });
    let Ok(read) = receiver.recv_timeout(limit) else {
        // The whole group: `sh -c` may have children that hold the output open.
        let _ = std::process::Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", child.id())])
            .stderr(std::process::Stdio::null())
            .status();
        let _ = child.kill();
        let _ = child.wait();
        return Err(TokenError::Timeout(limit.as_secs()));
    };
    let output = read.map_err(TokenError::Read)?;
    let status = child.wait().map_err(TokenError::Read)?;
    if !status.success() {
        return Err(TokenError::Failed(status));
    }
    let text = String::from_utf8(output).map_err(|_| TokenError::NotText)?;
    let token = text.trim().to_owned();
    if token.is_empty() {
        return Err(TokenError::Empty);
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_the_commands_output_trimmed_and_an_empty_one_is_refused() {
        let limit = std::time::Duration::from_secs(5);
        assert_eq!(
            from_command("printf ' abc.def \\n'", limit).unwrap(),
            "abc.def"
        );
        assert!(matches!(
            from_command("true", limit),
            Err(TokenError::Empty)
        ));
        assert!(matches!(
            from_command("exit 3", limit),
            Err(TokenError::Failed(_))
        ));
    }
}
