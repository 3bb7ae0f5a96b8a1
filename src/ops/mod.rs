//! Running suratd on a server: making the share's folders, Samba and ACL
//! settings, comparing the database with the folders (`fsck`), checking one
//! file (`verify`), backups (`backup`), and logging.

pub mod backup;
pub mod fsck;
pub mod init;
pub mod logging;
pub mod samba;
pub mod verify;
