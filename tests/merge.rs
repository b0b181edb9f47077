//! Merging copies of a map: property tests on random edits, the cases a team meets (the same
//! label changed twice, a concept deleted on one side and linked on the other, codes moved under
//! each other, ids that clash in copies from before format version 3), the command line, and a
//! real `git merge` with Qualmap as the merge driver.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly on purpose")]

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command as Process;

use common::{random_command, random_document};
use qualmap::command::{Command, Element};
use qualmap::merge::{ChangeKind, Choice, diff, merge, merge_without_base, parts, resolve};
use qualmap::model::io::{load_str, save_path, to_json};
use qualmap::model::validate::validate;
use qualmap::model::{
    CodeId, Concept, ConceptId, ConflictKind, Document, ElementKey, Evidence, ItemRef, Memo, MemoId, Point, Provenance,
    Stance, example,
};
use qualmap::rng::Rng;

/// `doc` after up to `steps` random edits (refused ones are skipped).
fn edited(rng: &mut Rng, doc: &Document, steps: usize) -> Document {
    let mut doc = doc.clone();
    for _ in 0..steps {
        let command = random_command(rng, &doc);
        let _ = command.apply(&mut doc);
    }
    doc
}

/// Every element and field one side changed while the other left it as in `base` comes out as
/// that side has it, unless the merge names it in a conflict (a repair keeps a deleted element
/// that the other side still uses, and says so).
fn assert_one_sided_changes_kept(base: &Document, ours: &Document, theirs: &Document, merged: &Document, seed: u64) {
    let (b, o, t, r) = (parts(base), parts(ours), parts(theirs), parts(merged));
    let conflicted: BTreeSet<ElementKey> = merged.conflicts.iter().map(|c| c.element).collect();
    let keys: BTreeSet<ElementKey> = b.keys().chain(o.keys()).chain(t.keys()).copied().collect();
    for key in keys {
        if conflicted.contains(&key) {
            continue;
        }
        for (changed, untouched, side) in [(&o, &t, "ours"), (&t, &o, "theirs")] {
            let (bv, cv, uv, rv) = (b.get(&key), changed.get(&key), untouched.get(&key), r.get(&key));
            if uv != bv || cv == bv {
                continue;
            }
            match (cv, rv) {
                (None, rv) => assert!(rv.is_none(), "seed {seed}: {key:?} deleted by {side} only, but kept"),
                (Some(cv), Some(rv)) => {
                    // Set fields may also hold what the other side added; compare the rest.
                    for (field, value) in cv {
                        if ["areas", "codes", "links"].contains(&field.as_str()) {
                            continue;
                        }
                        assert_eq!(rv.get(field), Some(value), "seed {seed}: {key:?}.{field} changed by {side} only");
                    }
                }
                (Some(_), None) => panic!("seed {seed}: {key:?} added or changed by {side} only, but missing"),
            }
        }
    }
}

#[test]
fn random_edits_on_two_copies_merge_keeping_every_one_sided_change() {
    const SEQUENCES: u64 = 1000;
    let (mut clean, mut conflicted) = (0, 0);
    for seed in 1..=SEQUENCES {
        let mut rng = Rng::new(seed);
        let start = random_document(&mut rng);
        let base = edited(&mut rng, &start, 4);
        let steps = 1 + rng.index(10);
        let ours = edited(&mut rng, &base, steps);
        let steps = 1 + rng.index(10);
        let theirs = edited(&mut rng, &base, steps);

        let merged = merge(&base, &ours, &theirs).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        let doc = &merged.document;
        assert!(validate(doc).is_empty(), "seed {seed}: {:?}", validate(doc));
        assert!(merged.renumbered.is_empty(), "seed {seed}: new ids clashed: {:?}", merged.renumbered);
        assert_one_sided_changes_kept(&base, &ours, &theirs, doc, seed);
        // What is saved loads back the same, conflicts and all.
        assert_eq!(&load_str(&to_json(doc), "merged").unwrap(), doc, "seed {seed}");
        if doc.conflicts.is_empty() {
            clean += 1
        } else {
            conflicted += 1
        }

        // Merging with an untouched side gives the other side.
        assert_eq!(merge(&base, &ours, &base).unwrap().document, ours, "seed {seed}: merge(base, x, base)");
        assert_eq!(merge(&base, &base, &theirs).unwrap().document, theirs, "seed {seed}: merge(base, base, x)");
        assert_eq!(merge(&base, &ours, &ours).unwrap().document, ours, "seed {seed}: merge(base, x, x)");

        // Every conflict can be settled either way, and settling all leaves none and a whole map.
        let mut settled = doc.clone();
        while !settled.conflicts.is_empty() {
            // A side may name what is gone by now (their end of a relationship that ours
            // deleted, or that settling another conflict deleted): that choice is refused with a
            // reason and changes nothing, and the other side settles it.
            let (first, second) =
                if rng.chance(50) { (Choice::Mine, Choice::Theirs) } else { (Choice::Theirs, Choice::Mine) };
            let before = settled.clone();
            let settle = |doc: &mut Document, choice| {
                resolve(doc, 0, choice)
                    .map_err(|e| e.to_string())
                    .and_then(|command| command.apply(doc).map_err(|e| e.to_string()))
            };
            if let Err(reason) = settle(&mut settled, first) {
                assert_eq!(settled, before, "seed {seed}: a refused choice changed the map");
                settle(&mut settled, second)
                    .unwrap_or_else(|again| panic!("seed {seed}: neither side settles it: {reason}; {again}"));
            }
            assert!(validate(&settled).is_empty(), "seed {seed}: {:?}", validate(&settled));
        }
    }
    // Both outcomes must be exercised, or the test proves little.
    assert!(clean > 40 && conflicted > 40, "{clean} clean merges, {conflicted} with conflicts");
}

fn concept_named<'a>(doc: &'a Document, label: &str) -> &'a Concept {
    doc.concepts.iter().find(|c| c.label == label).unwrap()
}

fn relabel(doc: &mut Document, from: &str, to: &str) {
    let mut concept = concept_named(doc, from).clone();
    concept.label = to.to_owned();
    Command::Update(Element::Concept(concept)).apply(doc).unwrap();
}

#[test]
fn the_same_label_changed_two_ways_is_a_conflict_with_both_sides_and_each_choice_settles_it() {
    let base = example::document();
    let mut ours = base.clone();
    relabel(&mut ours, "Problem solving", "Solving problems");
    let mut theirs = base.clone();
    relabel(&mut theirs, "Problem solving", "Problem-solving");
    relabel(&mut theirs, "Change management", "Managing change");

    let merged = merge(&base, &ours, &theirs).unwrap();
    let doc = &merged.document;
    assert_eq!(merged.new_conflicts, 1);
    let conflict = &doc.conflicts[0];
    assert_eq!(conflict.kind, ConflictKind::BothChanged);
    assert_eq!(conflict.field.as_deref(), Some("label"));
    assert_eq!(conflict.ours, "Solving problems");
    assert_eq!(conflict.theirs, "Problem-solving");
    assert_eq!(conflict.base, "Problem solving");
    // The map holds ours until settled; their other change is in.
    assert!(doc.concepts.iter().any(|c| c.label == "Solving problems"));
    assert!(doc.concepts.iter().any(|c| c.label == "Managing change"));

    for (choice, expected) in [
        (Choice::Mine, "Solving problems"),
        (Choice::Theirs, "Problem-solving"),
        (Choice::Both, "Solving problems\n\nProblem-solving"),
    ] {
        let mut settled = doc.clone();
        resolve(&settled, 0, choice).unwrap().apply(&mut settled).unwrap();
        assert!(settled.conflicts.is_empty());
        let id = conflict.element;
        let ElementKey::Concept(id) = id else { panic!("{id:?}") };
        assert_eq!(settled.concept(id).unwrap().label, expected, "{choice:?}");
    }
}

#[test]
fn two_coders_linking_one_excerpt_to_different_concepts_keep_both_links() {
    let base = example::document();
    let excerpt = base.evidence[0].clone();
    let link = |doc: &mut Document, label: &str| {
        let mut e = doc.evidence_item(excerpt.id).unwrap().clone();
        e.links.push(ItemRef::Concept(concept_named(doc, label).id));
        Command::Update(Element::Evidence(e)).apply(doc).unwrap();
    };
    let mut ours = base.clone();
    link(&mut ours, "Coping");
    let mut theirs = base.clone();
    link(&mut theirs, "Problem solving");
    let merged = merge(&base, &ours, &theirs).unwrap().document;
    assert!(merged.conflicts.is_empty(), "{:?}", merged.conflicts);
    let links = &merged.evidence_item(excerpt.id).unwrap().links;
    for label in ["Coping", "Problem solving"] {
        assert!(links.contains(&ItemRef::Concept(concept_named(&merged, label).id)), "{label}: {links:?}");
    }
}

#[test]
fn a_concept_deleted_on_one_side_but_linked_on_the_other_is_kept_and_named() {
    let base = example::document();
    let coping = concept_named(&base, "Coping").id;
    let mut ours = base.clone();
    qualmap::command::delete_items(&ours, &[ItemRef::Concept(coping)]).apply(&mut ours).unwrap();
    let mut theirs = base.clone();
    let source = theirs.sources[0].id;
    Command::Insert(Element::Evidence(Evidence {
        id: theirs.next_evidence_id(),
        excerpt: "It helped me cope.".to_owned(),
        source,
        location: String::new(),
        codes: Vec::new(),
        memo: String::new(),
        coder: "B".to_owned(),
        coded_at: String::new(),
        links: vec![ItemRef::Concept(coping)],
        provenance: Provenance::default(),
        status: Default::default(),
    }))
    .apply(&mut theirs)
    .unwrap();
    let merged = merge(&base, &ours, &theirs).unwrap().document;
    assert!(merged.concept(coping).is_some(), "the linked concept must stay");
    assert!(
        merged.conflicts.iter().any(|c| c.element == ElementKey::Concept(coping)
            && matches!(c.kind, ConflictKind::DeletedButUsed | ConflictKind::DeletedAndChanged)),
        "{:?}",
        merged.conflicts
    );
    // Settling it as ours deletes the concept again, with the link.
    let at = merged.conflicts.iter().position(|c| c.element == ElementKey::Concept(coping)).unwrap();
    let mut settled = merged.clone();
    resolve(&settled, at, Choice::Mine).unwrap().apply(&mut settled).unwrap();
    assert!(settled.concept(coping).is_none());
    assert!(validate(&settled).is_empty());
}

#[test]
fn codes_moved_under_each_other_keep_our_parent_and_say_so() {
    let mut base = example::document();
    base.codes.truncate(2);
    base.codes.iter_mut().for_each(|c| c.parent = None);
    for e in base.evidence.iter_mut() {
        e.codes.retain(|c| c.0 <= base.codes[1].id.0);
    }
    base.normalize();
    assert!(validate(&base).is_empty(), "{:?}", validate(&base));
    let (a, b) = (base.codes[0].id, base.codes[1].id);
    let moved = |doc: &Document, child: CodeId, parent: CodeId| {
        let mut doc = doc.clone();
        let mut code = doc.code(child).unwrap().clone();
        code.parent = Some(parent);
        Command::Update(Element::Code(code)).apply(&mut doc).unwrap();
        doc
    };
    let merged = merge(&base, &moved(&base, a, b), &moved(&base, b, a)).unwrap().document;
    assert!(validate(&merged).is_empty());
    assert!(merged.conflicts.iter().any(|c| c.kind == ConflictKind::WouldCycle), "{:?}", merged.conflicts);
    assert_eq!(merged.code(a).unwrap().parent, Some(b), "ours: a under b");
    assert_eq!(merged.code(b).unwrap().parent, None);
}

#[test]
fn ids_that_clash_in_copies_from_older_versions_are_renumbered_not_merged() {
    // Before format version 3 a new concept was "largest id + 1", so two copies that each
    // imported a code gave their new concepts the same id.
    let base = example::document();
    let clash = ConceptId(base.concepts.last().unwrap().id.0 + 1);
    let with_concept = |label: &str| {
        let mut doc = base.clone();
        Command::Insert(Element::Concept(new_concept(clash, label))).apply(&mut doc).unwrap();
        doc
    };
    let merged = merge(&base, &with_concept("Peer support"), &with_concept("Burnout")).unwrap();
    assert_eq!(merged.renumbered.len(), 1);
    let doc = &merged.document;
    assert!(doc.conflicts.is_empty());
    assert_eq!(doc.concept(clash).unwrap().label, "Peer support");
    assert!(doc.concepts.iter().any(|c| c.label == "Burnout" && c.id != clash));
}

#[test]
fn fresh_ids_of_two_copies_do_not_collide() {
    let base = example::document();
    let (mut a, mut b) = (base.clone(), base.clone());
    let mut ids = BTreeSet::new();
    for _ in 0..1000 {
        for doc in [&mut a, &mut b] {
            let id = doc.next_concept_id();
            assert!(ids.insert(id), "{id} given twice");
            assert!(id.0 < qualmap::model::ID_LIMIT);
        }
    }
}

#[test]
fn copies_without_a_common_original_keep_everything_and_every_difference_is_a_conflict() {
    let base = example::document();
    let mut ours = base.clone();
    relabel(&mut ours, "Coping", "Coping better");
    let mut theirs = base.clone();
    relabel(&mut theirs, "Coping", "Coping well");
    // Theirs deleted a relationship: without an original that is not known to be a deletion.
    let gone = theirs.relationships[0].id;
    qualmap::command::delete_items(&theirs, &[ItemRef::Relationship(gone)]).apply(&mut theirs).unwrap();
    let merged = merge_without_base(&ours, &theirs).unwrap().document;
    assert!(merged.relationship(gone).is_some(), "nothing is deleted without an original");
    assert!(merged.conflicts.iter().all(|c| c.kind == ConflictKind::Differs), "{:?}", merged.conflicts);
    let coping = concept_named(&merged, "Coping better").id;
    assert!(merged.conflicts.iter().any(|c| c.element == ElementKey::Concept(coping)));
    // Deleting the relationship also unlinked its excerpts there: those differ too, and keep ours.
    let linked =
        |doc: &Document| doc.evidence.iter().filter(|e| e.links.contains(&ItemRef::Relationship(gone))).count();
    assert_eq!(linked(&merged), linked(&ours));
    assert!(merged.conflicts.iter().any(|c| matches!(c.element, ElementKey::Evidence(_))));
}

#[test]
fn diff_lists_added_removed_and_changed_fields() {
    let a = example::document();
    let mut b = a.clone();
    relabel(&mut b, "Coping", "Coping better");
    let gone = b.relationships[0].id;
    qualmap::command::delete_items(&b, &[ItemRef::Relationship(gone)]).apply(&mut b).unwrap();
    let changes = diff(&a, &b);
    assert!(changes.iter().any(|c| c.element == ElementKey::Relationship(gone) && c.kind == ChangeKind::Removed));
    let relabelled = changes.iter().find(|c| c.label == "Coping better").unwrap();
    let ChangeKind::Changed { fields } = &relabelled.kind else { panic!("{relabelled:?}") };
    assert_eq!(fields.len(), 1);
    assert_eq!(fields[0].field, "label");
    assert!(diff(&a, &a).is_empty());
}

fn qualmap_bin() -> &'static str {
    env!("CARGO_BIN_EXE_qualmap")
}

fn run(dir: &Path, program: &str, args: &[&str]) -> std::process::Output {
    Process::new(program)
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"))
}

#[test]
fn the_command_line_diffs_and_merges_with_exit_statuses() {
    let dir = tempfile::tempdir().unwrap();
    let base = example::document();
    let mut ours = base.clone();
    relabel(&mut ours, "Coping", "Coping better");
    let mut theirs = base.clone();
    relabel(&mut theirs, "Coping", "Coping well");
    relabel(&mut theirs, "Problem solving", "Solving problems");
    for (name, doc) in [("base", &base), ("ours", &ours), ("theirs", &theirs)] {
        save_path(doc, &dir.path().join(format!("{name}.qualmap"))).unwrap();
    }
    let bin = qualmap_bin();
    let same = run(dir.path(), bin, &["diff", "base.qualmap", "base.qualmap"]);
    assert_eq!(same.status.code(), Some(0));
    assert!(same.stdout.is_empty());
    let differ = run(dir.path(), bin, &["diff", "base.qualmap", "theirs.qualmap"]);
    assert_eq!(differ.status.code(), Some(1));
    let text = String::from_utf8(differ.stdout).unwrap();
    assert!(text.contains("~ concept") && text.contains("label \"Coping\" -> \"Coping well\""), "{text}");
    let json = run(dir.path(), bin, &["diff", "base.qualmap", "theirs.qualmap", "--format", "json"]);
    let changes: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(changes.as_array().unwrap().len(), 2);
    assert_eq!(changes[0]["change"], "changed");

    let merged =
        run(dir.path(), bin, &["merge", "base.qualmap", "ours.qualmap", "theirs.qualmap", "-o", "out.qualmap"]);
    assert_eq!(merged.status.code(), Some(1), "{}", String::from_utf8_lossy(&merged.stderr));
    let doc = qualmap::model::io::load_path(&dir.path().join("out.qualmap")).unwrap();
    assert_eq!(doc.conflicts.len(), 1);
    assert!(doc.concepts.iter().any(|c| c.label == "Solving problems"));

    let clean =
        run(dir.path(), bin, &["merge", "base.qualmap", "base.qualmap", "theirs.qualmap", "-o", "clean.qualmap"]);
    assert_eq!(clean.status.code(), Some(0));
    let broken =
        run(dir.path(), bin, &["merge", "base.qualmap", "missing.qualmap", "theirs.qualmap", "-o", "x.qualmap"]);
    assert_eq!(broken.status.code(), Some(2));
    assert!(!dir.path().join("x.qualmap").exists(), "nothing is written on error");
}

/// A real `git merge` of two branches that changed the same map, with Qualmap as the merge
/// driver configured as the README says.
#[test]
fn git_merges_two_branches_through_the_merge_driver() {
    if Process::new("git").arg("--version").output().is_err() {
        assert!(std::env::var_os("CI").is_none(), "git is needed on CI");
        eprintln!("skipped: git is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    let git = |args: &[&str]| {
        let out = run(repo, "git", args);
        (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr))
    };
    let ok = |args: &[&str]| {
        let (code, text) = git(args);
        assert_eq!(code, Some(0), "git {args:?}: {text}");
    };
    ok(&["init", "-q", "-b", "main"]);
    ok(&["config", "user.name", "Test"]);
    ok(&["config", "user.email", "test@example.org"]);
    let driver = format!("\"{}\" merge %O %A %B -o %A", qualmap_bin());
    ok(&["config", "merge.qualmap.driver", &driver]);
    std::fs::write(repo.join(".gitattributes"), "*.qualmap merge=qualmap\n").unwrap();
    let map = repo.join("map.qualmap");
    let base = example::document();
    save_path(&base, &map).unwrap();
    ok(&["add", "."]);
    ok(&["commit", "-q", "-m", "base"]);

    // Two branches change different concepts, each on the same lines of the file's neighbourhood.
    ok(&["checkout", "-q", "-b", "coder-b"]);
    let mut theirs = base.clone();
    relabel(&mut theirs, "Problem solving", "Solving problems");
    save_path(&theirs, &map).unwrap();
    ok(&["commit", "-q", "-am", "coder b"]);
    ok(&["checkout", "-q", "main"]);
    let mut ours = base.clone();
    relabel(&mut ours, "Change management", "Managing change");
    save_path(&ours, &map).unwrap();
    ok(&["commit", "-q", "-am", "coder a"]);
    ok(&["merge", "-q", "--no-edit", "coder-b"]);
    let merged = qualmap::model::io::load_path(&map).unwrap();
    assert!(merged.conflicts.is_empty());
    assert!(merged.concepts.iter().any(|c| c.label == "Solving problems"));
    assert!(merged.concepts.iter().any(|c| c.label == "Managing change"));

    // The same label changed two ways: git reports a conflict, and the file holds both sides.
    ok(&["checkout", "-q", "-b", "coder-c"]);
    let mut c = merged.clone();
    relabel(&mut c, "Coping", "Coping well");
    save_path(&c, &map).unwrap();
    ok(&["commit", "-q", "-am", "coder c"]);
    ok(&["checkout", "-q", "main"]);
    let mut d = merged.clone();
    relabel(&mut d, "Coping", "Coping better");
    save_path(&d, &map).unwrap();
    ok(&["commit", "-q", "-am", "coder d"]);
    let (code, text) = git(&["merge", "--no-edit", "coder-c"]);
    assert_ne!(code, Some(0), "{text}");
    let conflicted = qualmap::model::io::load_path(&map).expect("the conflicted result is a whole map");
    assert_eq!(conflicted.conflicts.len(), 1);
    assert_eq!(conflicted.conflicts[0].theirs, "Coping well");
    assert_eq!(conflicted.conflicts[0].ours, "Coping better");
}

#[test]
fn memos_added_on_either_side_are_kept_one_deleted_on_one_side_goes_and_diff_lists_them() {
    let mut base = example::document();
    let coping = ItemRef::Concept(concept_named(&base, "Coping").id);
    let old = common::add_memo(&mut base, coping, "Heron", Some(Stance::Unsure), "");
    let mut ours = base.clone();
    let kestrel = common::add_memo(&mut ours, coping, "Kestrel", Some(Stance::Agree), "Yes, this is what it gave me");
    let mut theirs = base.clone();
    let rel = ItemRef::Relationship(theirs.relationships[0].id);
    let wren = common::add_memo(&mut theirs, rel, "Wren", None, "Not for everyone");
    Command::DeleteMemo(old).apply(&mut theirs).unwrap();
    let merged = merge(&base, &ours, &theirs).unwrap().document;
    assert!(merged.conflicts.is_empty(), "{:?}", merged.conflicts);
    let ids: Vec<MemoId> = merged.memos.iter().map(|m| m.id).collect();
    let mut expected = vec![kestrel, wren];
    expected.sort();
    assert_eq!(ids, expected);
    assert_eq!(merged.memo(kestrel), ours.memo(kestrel));
    assert_eq!(merged.memo(wren), theirs.memo(wren));
    let changes = diff(&base, &merged);
    let memo_changes: Vec<(ElementKey, &ChangeKind, &str)> = changes
        .iter()
        .filter(|c| matches!(c.element, ElementKey::Memo(_)))
        .map(|c| (c.element, &c.kind, c.label.as_str()))
        .collect();
    assert_eq!(memo_changes.len(), 3, "{memo_changes:?}");
    assert!(memo_changes.contains(&(ElementKey::Memo(old), &ChangeKind::Removed, "Heron on Coping: Unsure")));
    assert!(memo_changes.contains(&(
        ElementKey::Memo(kestrel),
        &ChangeKind::Added,
        "Kestrel on Coping: Agree, Yes, this is what it gave me"
    )));
    assert!(memo_changes.iter().any(|(key, kind, label)| *key == ElementKey::Memo(wren)
        && **kind == ChangeKind::Added
        && label.starts_with("Wren on ")
        && label.ends_with(": Not for everyone")));
}

#[test]
fn a_concept_deleted_on_one_side_while_the_other_commented_on_it_is_kept_and_named() {
    let mut base = example::document();
    let coping = concept_named(&base, "Coping").id;
    let old = common::add_memo(&mut base, ItemRef::Concept(coping), "Heron", Some(Stance::Disagree), "");
    let mut ours = base.clone();
    qualmap::command::delete_items(&ours, &[ItemRef::Concept(coping)]).apply(&mut ours).unwrap();
    assert!(ours.memos.is_empty(), "its memo went with it");
    let mut theirs = base.clone();
    let new = common::add_memo(&mut theirs, ItemRef::Concept(coping), "Kestrel", None, "This is the heart of it");
    let merged = merge(&base, &ours, &theirs).unwrap().document;
    assert!(validate(&merged).is_empty(), "{:?}", validate(&merged));
    assert!(merged.concept(coping).is_some(), "the concept commented on stays");
    assert!(merged.memo(new).is_some(), "the new comment is kept");
    assert!(merged.memo(old).is_none(), "the memo only ours deleted stays deleted");
    let at = merged
        .conflicts
        .iter()
        .position(|c| c.element == ElementKey::Concept(coping) && c.kind == ConflictKind::DeletedButUsed)
        .unwrap_or_else(|| panic!("{:?}", merged.conflicts));
    // Settled as ours, the concept goes again, and the comment on it with it.
    let mut mine = merged.clone();
    resolve(&mine, at, Choice::Mine).unwrap().apply(&mut mine).unwrap();
    assert!(mine.concept(coping).is_none() && mine.memos.is_empty());
    assert!(validate(&mine).is_empty());
    // Settled as theirs, both stay.
    let mut kept = merged.clone();
    resolve(&kept, at, Choice::Theirs).unwrap().apply(&mut kept).unwrap();
    assert!(kept.concept(coping).is_some() && kept.memo(new).is_some());
    assert!(kept.conflicts.is_empty() && validate(&kept).is_empty());
}

#[test]
fn memos_on_a_clashing_concept_of_an_older_copy_follow_it_to_its_new_id() {
    // Copies from before version 3 can give two different concepts, and two different memos,
    // the same ids; the other side's are renumbered, and its memo still points at its concept.
    let base = example::document();
    let clash = ConceptId(base.concepts.last().unwrap().id.0 + 1);
    let with_concept = |label: &str, author: &str| {
        let mut doc = base.clone();
        Command::Insert(Element::Concept(new_concept(clash, label))).apply(&mut doc).unwrap();
        let memo = Memo {
            id: MemoId(1),
            item: ItemRef::Concept(clash),
            author: author.to_owned(),
            stance: Some(Stance::Agree),
            text: String::new(),
            written_at: String::new(),
        };
        Command::AddMemo(memo).apply(&mut doc).unwrap();
        doc
    };
    let merged = merge(&base, &with_concept("Peer support", "Kestrel"), &with_concept("Burnout", "Wren")).unwrap();
    assert_eq!(merged.renumbered.len(), 2, "{:?}", merged.renumbered);
    let doc = &merged.document;
    assert!(doc.conflicts.is_empty() && validate(doc).is_empty());
    let burnout = doc.concepts.iter().find(|c| c.label == "Burnout").unwrap().id;
    assert_ne!(burnout, clash);
    let on = |id: ConceptId| doc.memos_on(ItemRef::Concept(id)).map(|m| m.author.as_str()).collect::<Vec<_>>();
    assert_eq!(on(clash), ["Kestrel"]);
    assert_eq!(on(burnout), ["Wren"]);
}

#[test]
fn a_memo_that_differs_between_copies_is_a_conflict_and_either_text_can_be_kept() {
    let mut base = example::document();
    let coping = ItemRef::Concept(concept_named(&base, "Coping").id);
    let id = common::add_memo(&mut base, coping, "Heron", None, "Kept me going");
    let mut theirs = base.clone();
    let mut changed = theirs.memo(id).unwrap().clone();
    changed.text = "Kept me going, mostly".to_owned();
    Command::Batch { label: "replace".to_owned(), commands: vec![Command::DeleteMemo(id), Command::AddMemo(changed)] }
        .apply(&mut theirs)
        .unwrap();
    let merged = merge_without_base(&base, &theirs).unwrap().document;
    let at = merged
        .conflicts
        .iter()
        .position(|c| c.element == ElementKey::Memo(id) && c.field.as_deref() == Some("text"))
        .unwrap_or_else(|| panic!("{:?}", merged.conflicts));
    assert_eq!(merged.memo(id).unwrap().text, "Kept me going", "ours until settled");
    let mut settled = merged.clone();
    let undo = resolve(&settled, at, Choice::Theirs).unwrap().apply(&mut settled).unwrap();
    assert_eq!(settled.memo(id).unwrap().text, "Kept me going, mostly");
    assert!(settled.conflicts.is_empty() && validate(&settled).is_empty());
    undo.apply(&mut settled).unwrap();
    assert_eq!(settled, merged);
}

/// A concept of its own with `id` and `label`, as an import in an old copy would have made it.
fn new_concept(id: ConceptId, label: &str) -> Concept {
    Concept {
        id,
        label: label.to_owned(),
        description: String::new(),
        color: None,
        areas: Vec::new(),
        pos: Point::new(10.0, 10.0),
        pinned: false,
        provenance: Provenance::default(),
    }
}
