//! Logins: users sign in; some mistype their password, and some accounts are
//! locked.

use std::fmt;
use std::time::Duration;

use monitor_runtime::monitored;

/// Why a login failed.
#[derive(Debug)]
pub enum LoginError {
    WrongPassword,
    Locked,
}

impl fmt::Display for LoginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LoginError::WrongPassword => "wrong password",
            LoginError::Locked => "account locked",
        })
    }
}

impl std::error::Error for LoginError {}

/// A user directory with monitored methods: every method of the `impl` block is
/// monitored, as `Accounts::log_in` and `Accounts::is_locked`.
pub struct Accounts;

#[monitored]
impl Accounts {
    /// Checks a user's credentials.
    pub async fn log_in(&self, user: &str, attempt: u64) -> Result<String, LoginError> {
        tokio::time::sleep(Duration::from_millis(2)).await;
        if self.is_locked(user) {
            return Err(LoginError::Locked);
        }
        // About one attempt in six has a typo in the password.
        if attempt % 100 < 16 {
            return Err(LoginError::WrongPassword);
        }
        Ok(format!("session-{user}-{attempt}"))
    }

    /// Whether the account is locked.
    fn is_locked(&self, user: &str) -> bool {
        user == "mallory"
    }
}
