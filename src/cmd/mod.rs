//! One module per command, each reading like the tutorial's section it replaces.

pub mod completions;
pub mod down;
pub mod nodetool;
pub mod render;
pub mod scale;
pub mod status;
pub mod up;
