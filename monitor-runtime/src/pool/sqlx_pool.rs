//! sqlx pools, of any database.

use std::future::Future;

use super::{ConnectionPool, PoolState};

/// `size()`, `num_idle()` and the configured maximum; `acquire()`; a
/// `PoolTimedOut` error is a timeout.
impl<DB: sqlx::Database> ConnectionPool for sqlx::Pool<DB> {
    type Connection = sqlx::pool::PoolConnection<DB>;
    type Error = sqlx::Error;

    fn state(&self) -> PoolState {
        PoolState {
            size: self.size(),
            idle: u32::try_from(self.num_idle()).unwrap_or(u32::MAX),
            max_size: self.options().get_max_connections(),
        }
    }

    fn acquire(&self) -> impl Future<Output = Result<Self::Connection, Self::Error>> + Send {
        sqlx::Pool::acquire(self)
    }

    fn is_timeout(error: &Self::Error) -> bool {
        matches!(error, sqlx::Error::PoolTimedOut)
    }
}
