//! An error with its causes, on one line, as every message of feedimport
//! prints it.
//!
//! In: any error. Out: its text, then each cause that adds something.
//! Pure; nothing fails.

/// An error and its causes on one line: reqwest's own message alone says
/// "error sending request" and hides "connection refused". A cause that
/// only repeats the text before it, or that it holds ("file is not a
/// database" under "Error code 26: file is not a database"), is left out.
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut last = message.clone();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) && !text.contains(&last) {
            message.push_str(": ");
            message.push_str(&text);
        }
        last = text;
        source = cause.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_chains_print_each_cause_once() {
        #[derive(Debug, thiserror::Error)]
        #[error("{text}")]
        struct Layer {
            text: &'static str,
            #[source]
            source: Option<Box<Layer>>,
        }
        let layer = |text, source: Option<Layer>| Layer {
            text,
            source: source.map(Box::new),
        };
        let chain_of = |texts: [&'static str; 3]| {
            layer(texts[0], Some(layer(texts[1], Some(layer(texts[2], None)))))
        };
        assert_eq!(
            error_chain(&chain_of([
                "state database x",
                "file is not a database",
                "Error code 26: file is not a database",
            ])),
            "state database x: file is not a database"
        );
        assert_eq!(
            error_chain(&chain_of([
                "cannot connect",
                "error sending request",
                "Connection refused",
            ])),
            "cannot connect: error sending request: Connection refused"
        );
    }
}
