//! Pure building blocks of the build model: BuildKit's word expansion and
//! typed `RUN` flags.

pub mod mount;
pub mod words;

pub use mount::{Mount, MountError, MountType, Network, RunFlagError, RunFlags, Security, Sharing};
pub use words::{process_word, process_words, Env, ExpandError, Expanded, Lexer};
