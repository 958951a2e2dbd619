//! Fingerprints static/app.css and static/app.js so their URLs change with them.

use std::hash::{Hash, Hasher};

fn main() {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for file in ["static/app.css", "static/app.js", "static/rules.js"] {
        println!("cargo:rerun-if-changed={file}");
        std::fs::read(file).unwrap_or_default().hash(&mut hasher);
    }
    println!("cargo:rustc-env=PHONGTRAO_ASSET_VERSION={:08x}", hasher.finish() as u32);
}
