//! A connection test, step by step: reach the host, authenticate, permission to read — each
//! passed, failed or skipped, with the provider's own error text verbatim and how long it took.

use leptos::prelude::*;
use sluice_contract::integrations::{StepOutcome, TestResult, TestStep, TestStepName};

fn step_name(step: TestStepName) -> &'static str {
    match step {
        TestStepName::Reach => "Reach the host",
        TestStepName::Authenticate => "Authenticate",
        TestStepName::Read => "Permission to read",
    }
}

/// The outcome in words, its badge, and its machine name (for tests).
fn outcome(o: StepOutcome) -> (&'static str, &'static str, &'static str) {
    match o {
        StepOutcome::Passed => ("Passed", "badge badge-ok", "passed"),
        StepOutcome::Failed => ("Failed", "badge badge-error", "failed"),
        StepOutcome::Skipped => ("Skipped", "badge badge-muted", "skipped"),
    }
}

/// "120 ms", or "2.4 s" from a second on.
pub fn duration(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else {
        let tenths = (ms + 50) / 100;
        format!("{}.{} s", tenths / 10, tenths % 10)
    }
}

crate::pages::part::lazy_part! {
    /// Fetched with the first test result shown.
    pub fn test_steps(test: TestResult, title: &'static str) in integration_test_steps {
        view! { <TestSteps test title /> }
    }
}

#[component]
fn TestSteps(
    test: TestResult,
    /// What the steps are about, e.g. "Connection test" or "The new credential's test".
    #[prop(into)]
    title: String,
) -> impl IntoView {
    let (headline, class) = if test.ok {
        (format!("{title} passed."), "test-result test-ok")
    } else {
        (format!("{title} failed."), "test-result test-failed")
    };
    let role = if test.ok { "status" } else { "alert" };
    view! {
        <div class=class data-testid="test-result" data-ok=test.ok.to_string()>
            <p role=role><strong>{headline}</strong></p>
            <ol class="test-steps">
                {test.steps.into_iter().map(|s| view! { <Step s /> }).collect_view()}
            </ol>
        </div>
    }
}

#[component]
fn Step(s: TestStep) -> impl IntoView {
    let (word, class, name) = outcome(s.outcome);
    view! {
        <li class="test-step" data-testid="test-step" data-step=s.step.as_str() data-outcome=name>
            <span class="step-name">{step_name(s.step)}</span>
            " "<span class=class data-testid="step-outcome">{word}</span>
            " "<span class="muted small" data-testid="step-duration">{duration(s.duration_ms)}</span>
            {(!s.detail.is_empty()).then(|| view! { <div class="small" data-testid="step-detail">{s.detail}</div> })}
            {s.provider_error.map(|e| view! {
                <div class="small">
                    "The provider said: "<code class="provider-error" data-testid="provider-error">{e}</code>
                </div>
            })}
        </li>
    }
}
