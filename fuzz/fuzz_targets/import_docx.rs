//! Any bytes as a .docx, and any bytes as the document.xml of a well-formed zip:
//! the importer never panics and refuses what it cannot read with an error.
#![no_main]

use std::io::{Cursor, Write};

use libfuzzer_sys::fuzz_target;
use phongtrao_domain::import::{import_docx, lint_draft};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

fn zipped(document_xml: &[u8]) -> Vec<u8> {
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file("word/document.xml", options).unwrap();
    zip.write_all(document_xml).unwrap();
    zip.finish().unwrap().into_inner()
}

fuzz_target!(|data: &[u8]| {
    for bytes in [data.to_vec(), zipped(data)] {
        if let Ok(draft) = import_docx(&bytes) {
            let plan_file = draft.to_toml();
            assert!(
                toml::from_str::<toml::Table>(&plan_file).is_ok(),
                "not TOML:\n{plan_file}"
            );
            let _ = lint_draft(&draft);
        }
    }
});
