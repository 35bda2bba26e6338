//! A bearer token from a command, the way partners get one
//! (`az account get-access-token --resource https://api.partner.microsoft.com --query
//! accessToken -o tsv`): its standard output, trimmed. The client runs the command again,
//! once, when the target answers 401 (the token expired during a long run).

/// Why the command gave no token. The messages never hold the token.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("--token-command: cannot run the command: {0}")]
    Spawn(std::io::Error),
    #[error("--token-command exited with {0}")]
    Failed(std::process::ExitStatus),
    #[error("--token-command printed something that is not text")]
    NotText,
    #[error("--token-command printed no token")]
    Empty,
}

/// Runs `command` with `sh -c` (its standard error goes to ours) and returns what it printed.
pub fn from_command(command: &str) -> Result<String, TokenError> {
    let output = std::process::Command::new("sh")
        .args(["-c", command])
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(TokenError::Spawn)?;
    if !output.status.success() {
        return Err(TokenError::Failed(output.status));
    }
    let text = String::from_utf8(output.stdout).map_err(|_| TokenError::NotText)?;
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
        assert_eq!(from_command("printf ' abc.def \\n'").unwrap(), "abc.def");
        assert!(matches!(from_command("true"), Err(TokenError::Empty)));
        assert!(matches!(from_command("exit 3"), Err(TokenError::Failed(_))));
    }
}
