//! How a `workbook` command fails: one line for people, and an exit code for scripts
//! (2: the command line was wrong; 1: the command ran and something failed).

#[derive(Debug)]
pub struct Failure {
    pub code: i32,
    pub message: String,
}

impl Failure {
    /// The command line asked for something that cannot be done.
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure {
            code: 2,
            message: message.into(),
        }
    }

    /// The command ran and something went wrong.
    pub fn failed(message: impl Into<String>) -> Failure {
        Failure {
            code: 1,
            message: message.into(),
        }
    }
}

pub type Outcome<T> = Result<T, Failure>;

/// A command whose answers disagree fails, naming each disagreement.
pub fn fail_on_disagreement(disagreements: &[String]) -> Outcome<()> {
    if disagreements.is_empty() {
        return Ok(());
    }
    Err(Failure::failed(format!(
        "the answers disagree: {}",
        disagreements.join("; ")
    )))
}
