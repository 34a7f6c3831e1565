//! Entries of a spec tree that cannot be read as text (links that lead
//! nowhere, a FIFO, a file far over the size limit) are reported as problems of their own, with a position
//! and a help line, and every other file is still checked. Git cannot hold
//! them, so they are made here rather than kept as fixtures.

#![cfg(unix)]

use std::fs;
use std::os::unix::fs::symlink;

use workspace_tests::{copy_tree, snapshot_tree};
use xtask::{Failure, Target};

#[test]
fn links_that_lead_nowhere_and_fifos_are_reported_and_the_rest_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let root = xtask::workspace_root();
    let target = Target { spec: dir.path().join("spec"), out: dir.path().join("generated-sdk") };
    fs::create_dir_all(target.spec.join("actions")).unwrap();
    fs::copy(
        root.join("tests/fixtures/malformed/86-reserved-type-names/product.yaml"),
        target.spec.join("product.yaml"),
    )
    .unwrap();
    let actions = target.spec.join("actions");
    fs::write(
        actions.join("DescribeFine.yaml"),
        "action: DescribeFine\nsummary: Fine.\nrequest:\n  - name: Id\n    type: strng\n",
    )
    .unwrap();
    symlink("Loop.yaml", actions.join("Loop.yaml")).unwrap();
    // Far over the size limit: refused by its size, which is reported as it is.
    let huge = 5 * codegen::MAX_FILE_BYTES as u64 + 3;
    fs::File::create(actions.join("Huge.yaml")).unwrap().set_len(huge).unwrap();
    symlink("Missing.yaml", actions.join("Dangling.yaml")).unwrap();
    let fifo = std::process::Command::new("mkfifo").arg(actions.join("Pipe.yaml")).status();
    let has_fifo = fifo.is_ok_and(|s| s.success());
    copy_tree(&root.join("tests/fixture-sdk/src/generated"), &target.out.join(xtask::GENERATED_DIR));
    let before = snapshot_tree(&target.out);

    let Err(Failure::Spec(diags)) = xtask::write(&target) else { panic!("the spec was accepted") };
    assert_eq!(snapshot_tree(&target.out), before);
    let rendered = codegen::render(&diags);
    let spec = target.spec.display().to_string();
    for expected in [
        format!("{spec}/actions/Dangling.yaml:1:1: error: this is a link that leads to no file"),
        format!("{spec}/actions/Loop.yaml:1:1: error: this is a link that leads to no file"),
        format!("{spec}/actions/DescribeFine.yaml:5:11: error: unknown type `strng`"),
        format!(
            "{spec}/actions/Huge.yaml:1:1: error: file is {huge} bytes, over the limit of {}",
            codegen::MAX_FILE_BYTES
        ),
    ] {
        assert!(rendered.contains(&expected), "{expected}\nnot in:\n{rendered}");
    }
    if has_fifo {
        let expected =
            format!("{spec}/actions/Pipe.yaml:1:1: error: this is not a regular file (a FIFO, socket or device)");
        assert!(rendered.contains(&expected), "{expected}\nnot in:\n{rendered}");
    }
}
