//! Small pieces every layer uses and that know nothing of letters: YAML that
//! people write (limits, `FILE:LINE:COL` errors), durations as people write
//! them, time as the office reads it (WIB), the heartbeat to systemd's
//! watchdog that long waits keep going, reads of the share within a
//! time limit (`stall`), the loop's last tick and processing times for
//! monitoring (`timing`), the threads every PDF check runs on within its
//! time limit (`workers`), and the crash points the tests use (`faults`).

pub(crate) mod durations;
pub mod faults;
/// For the tests, unit and integration (not used by the daemon).
#[doc(hidden)]
pub mod golden;
pub mod heartbeat;
pub mod stall;
pub mod timefmt;
pub mod timing;
pub mod workers;
pub(crate) mod yaml;
