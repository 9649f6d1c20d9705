//! Pure building blocks of the build model.
pub mod words;
pub use words::{process_word, process_words, Env, ExpandError, Expanded, Lexer};
