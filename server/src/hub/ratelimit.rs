//! A token bucket per connection: `rate` commands a second on average, `burst` at once.

use std::time::Instant;

#[derive(Debug)]
pub struct TokenBucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    pub fn new(rate_per_sec: u32, burst: u32) -> TokenBucket {
        let burst = f64::from(burst.max(1));
        TokenBucket {
            rate: f64::from(rate_per_sec.max(1)),
            burst,
            tokens: burst,
            last: Instant::now(),
        }
    }

    /// Takes one token at `now`; false when the bucket is empty.
    pub fn take_at(&mut self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    pub fn take(&mut self) -> bool {
        self.take_at(Instant::now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn burst_then_refill() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(10, 3);
        assert!(bucket.take_at(start));
        assert!(bucket.take_at(start));
        assert!(bucket.take_at(start));
        assert!(!bucket.take_at(start), "the burst is spent");
        // 10 a second: one token back after 100 ms, not before.
        assert!(!bucket.take_at(start + Duration::from_millis(50)));
        assert!(bucket.take_at(start + Duration::from_millis(160)));
        // Never more than the burst, however long the pause.
        let later = start + Duration::from_secs(60);
        let taken = (0..10).filter(|_| bucket.take_at(later)).count();
        assert_eq!(taken, 3);
    }
}
