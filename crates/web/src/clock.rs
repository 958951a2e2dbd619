//! The one clock of the app: the system's time, or the time the office set with
//! `--now` to rehearse a past campaign (kept as an offset, so it moves on). Every
//! "now" of the server, the scheduler and the commands is read here.

use chrono::{DateTime, Duration, Utc};

#[derive(Debug, Clone, Copy, Default)]
pub struct Clock {
    offset: Duration,
}

impl Clock {
    /// The system's time.
    pub fn system() -> Clock {
        Clock { offset: Duration::zero() }
    }

    /// A clock that reads `now` at this moment and moves on from there.
    #[allow(clippy::disallowed_methods)]
    pub fn starting_at(now: DateTime<Utc>) -> Clock {
        Clock { offset: now - Utc::now() }
    }

    /// A clock this far ahead of (or behind) the system's.
    pub fn with_offset(offset: Duration) -> Clock {
        Clock { offset }
    }

    pub fn offset(self) -> Duration {
        self.offset
    }

    /// The current instant as the campaign sees it.
    #[allow(clippy::disallowed_methods)] // the one place that reads the system's clock
    pub fn now(self) -> DateTime<Utc> {
        Utc::now() + self.offset
    }
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)]
mod tests {
    use super::*;

    #[test]
    fn a_clock_set_to_a_past_day_reads_that_day_and_moves_on() {
        let then = DateTime::parse_from_rfc3339("2023-03-09T03:00:00Z").unwrap().with_timezone(&Utc);
        let clock = Clock::starting_at(then);
        let read = clock.now();
        assert!(read >= then && read - then < Duration::seconds(5), "{read}");
        assert!(Clock::system().now() - Utc::now() < Duration::seconds(1));
    }
}
