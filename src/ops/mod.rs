//! Running suratd on a server: making the share's folders, Samba and ACL
//! settings, comparing the database with the folders (`fsck`), checking one
//! file (`verify`), and logging.

pub mod fsck;
pub mod init;
pub mod logging;
pub mod samba;
pub mod verify;
