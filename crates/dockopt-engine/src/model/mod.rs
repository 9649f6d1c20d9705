//! Pure building blocks of the build model: BuildKit's word expansion,
//! where `COPY`/`ADD` put files, and typed `RUN` flags.

pub mod copy;
pub mod mount;
pub mod words;

pub use copy::{
    plan_copy, Compression, CopyError, CopyNote, CopyPlan, CopyRequest, ImagePath, Instruction,
    Placement, PlacementKind, Unresolved,
};
pub use mount::{Mount, MountError, MountType, Network, RunFlagError, RunFlags, Security, Sharing};
pub use words::{process_word, process_words, Env, ExpandError, Expanded, Lexer};
