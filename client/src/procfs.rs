//! What a benchmark reads of the servers it drives, from `/proc`: resident memory and CPU
//! time. Linux only; a process that cannot be read counts as 0.

/// The resident memory of these processes, in kB.
pub fn rss_kb(pids: &[u32]) -> u64 {
    pids.iter()
        .map(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/status"))
                .ok()
                .and_then(|s| {
                    s.lines()
                        .find(|l| l.starts_with("VmRSS:"))
                        .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
                })
                .unwrap_or(0)
        })
        .sum()
}

/// The CPU time these processes have used so far (user and system, all their threads), in
/// seconds. `/proc/{pid}/stat` counts clock ticks of 1/100 s (`USER_HZ` on Linux).
pub fn cpu_seconds(pids: &[u32]) -> f64 {
    pids.iter()
        .map(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .and_then(|s| {
                    // The command name, in parentheses, may hold spaces: count from after it.
                    let rest = &s[s.rfind(')')? + 1..];
                    let fields: Vec<&str> = rest.split_whitespace().collect();
                    // After the name: state is field 3 of the line, utime 14 and stime 15.
                    let utime: u64 = fields.get(11)?.parse().ok()?;
                    let stime: u64 = fields.get(12)?.parse().ok()?;
                    Some((utime + stime) as f64 / 100.0)
                })
                .unwrap_or(0.0)
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_this_process() {
        let me = [std::process::id()];
        assert!(rss_kb(&me) > 0, "a running process has resident memory");
        // Burn a little CPU so the count cannot stay at zero.
        let start = std::time::Instant::now();
        let mut x = 0u64;
        while start.elapsed() < std::time::Duration::from_millis(300) {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
        }
        std::hint::black_box(x);
        assert!(cpu_seconds(&me) > 0.0, "300 ms of work shows in utime");
        assert_eq!(rss_kb(&[u32::MAX]), 0, "no such process");
        assert_eq!(cpu_seconds(&[u32::MAX]), 0.0);
    }
}
