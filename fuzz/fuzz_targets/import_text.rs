//! Any text: the importer never panics, and the plan file it writes is always TOML.
#![no_main]

use libfuzzer_sys::fuzz_target;
use phongtrao_domain::import::{import_file, import_text, lint_draft};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let draft = import_text(&text);
    let plan_file = draft.to_toml();
    if let Err(e) = toml::from_str::<toml::Table>(&plan_file) {
        panic!("the importer wrote a file that is not TOML: {e}\n{plan_file}");
    }
    let _ = lint_draft(&draft); // parses the plan file too
    if std::str::from_utf8(data).is_err() {
        let _ = import_file("plan.txt", data);
    }
});
