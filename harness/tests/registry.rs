//! The registry's entries are consistent: the lesson binaries and the `workbook` command
//! build everything from them.

use workbook::LESSONS;
use workbook::params::parse_value;

#[test]
fn names_and_defaults_are_consistent() {
    for lesson in LESSONS {
        let same_name = LESSONS.iter().filter(|l| l.name == lesson.name).count();
        assert_eq!(same_name, 1, "{} listed twice", lesson.name);
        assert!(
            !lesson.variants.is_empty(),
            "{} has no variants",
            lesson.name
        );
        for variant in lesson.variants {
            assert!(
                !variant.about.is_empty(),
                "{} {} says nothing",
                lesson.name,
                variant.name
            );
        }
        for param in lesson.params {
            let parsed = parse_value(&param.kind, param.default);
            assert!(
                parsed.is_ok(),
                "{} --{}: {parsed:?}",
                lesson.name,
                param.name
            );
            assert!(
                !param.about.is_empty(),
                "{} --{} says nothing",
                lesson.name,
                param.name
            );
            let harness_flags = ["threads", "repeat", "warmup", "json", "variant", "help"];
            assert!(
                !harness_flags.contains(&param.name),
                "{} --{} clashes with a harness flag",
                lesson.name,
                param.name
            );
        }
        if let Some(tasks) = lesson.tasks {
            assert!(
                lesson.param(tasks).is_some(),
                "{}: tasks flag --{tasks}",
                lesson.name
            );
        }
        for (name, value) in lesson.quick {
            let param = lesson.param(name).expect("quick size names a lesson flag");
            assert!(
                parse_value(&param.kind, value).is_ok(),
                "{} --{name}",
                lesson.name
            );
        }
        for (variant, _feature) in lesson.feature_variants {
            assert!(
                lesson.variant(variant).is_some(),
                "{}: {variant}",
                lesson.name
            );
        }
    }
}
