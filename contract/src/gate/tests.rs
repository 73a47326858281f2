use super::*;
use proptest::prelude::*;

fn info(limit: u64, remaining: u64, reset_secs: u64) -> Option<RateLimitInfo> {
    Some(RateLimitInfo { limit, remaining, reset_secs })
}

const REFUSED_12S: Answer = Answer::Refused { retry_after_ms: Some(12_000) };

#[test]
fn a_refusal_holds_every_later_send_until_the_same_moment_then_one_goes_first() {
    let mut gate = Gate::new(CONSOLE);
    assert_eq!(gate.try_pass(1_000), Pass::Go);
    let next = gate.on_answer(1_000, REFUSED_12S, info(500, 0, 12), 0, true, 0.0);
    assert_eq!(next, Next::Retry { not_before_ms: 1_000 });
    assert_eq!(gate.closed_until(1_000), Some(13_000));
    assert_eq!(gate.try_pass(2_000), Pass::Wait(11_000));
    assert_eq!(gate.try_pass(13_000), Pass::Go, "the first into the reopened window");
    assert!(matches!(gate.try_pass(13_000), Pass::Wait(_)), "the rest wait for its answer");
    assert!(matches!(gate.try_pass(14_000), Pass::Wait(_)));
    gate.on_answer(14_000, Answer::Done { ok: true }, info(500, 300, 600), 0, true, 0.5);
    assert_eq!(gate.try_pass(14_000), Pass::Go, "room reported: the queue follows");
    assert_eq!(gate.try_pass(14_000), Pass::Go);
}

#[test]
fn retry_after_is_a_floor_with_a_little_jitter_and_zero_is_not_zero() {
    let mut gate = Gate::new(CONSOLE);
    gate.try_pass(0);
    gate.on_answer(0, Answer::Refused { retry_after_ms: Some(0) }, None, 0, true, 0.0);
    assert_eq!(gate.closed_until(0), Some(CONSOLE.min_wait_ms));
    let mut gate = Gate::new(CONSOLE);
    gate.try_pass(0);
    gate.on_answer(0, REFUSED_12S, None, 0, true, 0.999);
    let until = gate.closed_until(0).unwrap();
    assert!((12_000..=12_000 + CONSOLE.jitter_ms).contains(&until) && until > 12_000, "{until}");
}

#[test]
fn a_wait_longer_than_the_cap_keeps_the_request_waiting() {
    let mut gate = Gate::new(CONSOLE);
    gate.try_pass(0);
    let nine_minutes = 9 * 60_000;
    let next = gate.on_answer(0, Answer::Refused { retry_after_ms: Some(nine_minutes) }, None, 0, true, 0.0);
    assert_eq!(next, Next::Retry { not_before_ms: 0 }, "not a give-up");
    assert_eq!(gate.try_pass(1_000), Pass::Wait(nine_minutes - 1_000));
}

#[test]
fn remaining_zero_waits_for_the_reset_even_past_the_pacing_cap() {
    let mut gate = Gate::new(CONSOLE);
    gate.try_pass(0);
    gate.on_answer(0, Answer::Done { ok: true }, info(100, 0, 40), 0, true, 0.5);
    assert_eq!(gate.try_pass(0), Pass::Wait(40_000));
    assert_eq!(gate.closed_until(0), Some(40_000), "the banner shows it");
    assert_eq!(gate.try_pass(40_000), Pass::Go);
    assert!(matches!(gate.try_pass(40_000), Pass::Wait(_)), "one slot freed: one request");
}

#[test]
fn few_left_spaces_sends_over_the_time_to_reset() {
    let mut gate = Gate::new(CONSOLE);
    gate.try_pass(0);
    gate.on_answer(0, Answer::Done { ok: true }, info(100, 4, 10), 0, true, 0.5);
    // 4 left, 10 s to reset: 2 s after the last send.
    assert_eq!(gate.try_pass(0), Pass::Wait(2_000));
    assert_eq!(gate.try_pass(2_000), Pass::Go);
    // 3 left, 8 s to reset (aged): 2 s again.
    assert_eq!(gate.try_pass(2_000), Pass::Wait(2_000));
}

#[test]
fn busy_is_told_apart_and_only_safe_requests_are_retried() {
    let mut gate = Gate::new(CONSOLE);
    gate.try_pass(0);
    let next = gate.on_answer(0, Answer::Busy { retry_after_ms: Some(1_000) }, None, 0, false, 0.0);
    assert_eq!(next, Next::GiveUp(Stop::NotSafe));
    assert_eq!(gate.closure(), Closure::Busy);
}

#[test]
fn network_errors_on_safe_requests_retry_after_a_backoff_without_closing() {
    let mut gate = Gate::new(CONSOLE);
    gate.try_pass(0);
    let next = gate.on_answer(0, Answer::NetworkError, None, 0, true, 0.5);
    assert_eq!(next, Next::Retry { not_before_ms: 250 });
    assert_eq!(gate.closed_until(0), None);
    assert_eq!(gate.on_answer(0, Answer::NetworkError, None, 6, true, 0.5), Next::GiveUp(Stop::RetriesExhausted));
}

#[test]
fn the_budget_runs_out_and_successes_refill_it() {
    let mut gate = Gate::new(GateConfig { budget_tokens: 1.0, budget_refund: 1.0, ..CONSOLE });
    assert!(matches!(gate.on_answer(0, REFUSED_12S, None, 0, true, 0.0), Next::Retry { .. }));
    assert_eq!(gate.on_answer(0, REFUSED_12S, None, 0, true, 0.0), Next::GiveUp(Stop::BudgetSpent));
    gate.on_answer(0, Answer::Done { ok: true }, None, 0, true, 0.0);
    assert!(matches!(gate.on_answer(0, REFUSED_12S, None, 0, true, 0.0), Next::Retry { .. }));
}

#[test]
fn another_tab_closes_it_and_retry_now_opens_it_for_one_request() {
    let mut gate = Gate::new(CONSOLE);
    let mut other = Gate::new(CONSOLE);
    other.try_pass(0);
    other.on_answer(0, REFUSED_12S, info(60, 0, 12), 0, true, 0.0);
    gate.learn(1_000, other.shared(), 0.0);
    assert_eq!(gate.try_pass(4_000), Pass::Wait(8_000));
    assert_eq!(gate.window(4_000).map(|w| w.reset_secs), Some(8), "the window it learnt, aged");
    gate.open_now(4_000);
    assert_eq!(gate.try_pass(4_000), Pass::Go);
    assert!(matches!(gate.try_pass(4_000), Pass::Wait(_)));
}

#[test]
fn a_lost_probe_lets_the_next_request_probe() {
    let mut gate = Gate::new(CONSOLE);
    gate.try_pass(0);
    gate.on_answer(0, REFUSED_12S, None, 0, true, 0.0);
    assert_eq!(gate.try_pass(12_000), Pass::Go);
    gate.on_answer(12_000, Answer::Dropped, None, 0, true, 0.0);
    assert_eq!(gate.try_pass(12_000), Pass::Go, "the cancelled probe told nothing");
    assert_eq!(gate.try_pass(12_000 + CONSOLE.probe_timeout_ms), Pass::Go, "an unanswered probe times out");
}

/// Five tabs of one session, every message delivered at once (as a BroadcastChannel does within
/// a millisecond): after a refusal only one tab sends into the reopened window.
#[test]
fn across_tabs_one_request_goes_first_and_the_others_follow_its_answer() {
    let mut tabs: Vec<Gate> = (0..5).map(|_| Gate::new(CONSOLE)).collect();
    let tell = |tabs: &mut [Gate], from: usize, now: u64| {
        let shared = tabs[from].shared();
        for (i, tab) in tabs.iter_mut().enumerate() {
            if i != from {
                tab.learn(now, shared, (i as f64) / 5.0);
            }
        }
    };
    assert_eq!(tabs[0].try_pass(0), Pass::Go);
    tabs[0].on_answer(0, REFUSED_12S, info(300, 0, 12), 0, true, 0.0);
    tell(&mut tabs, 0, 0);
    // The refused tab is back first; the others learnt the closure with up to 500 ms on top.
    assert_eq!(tabs[0].try_pass(12_000), Pass::Go, "one tab goes first");
    tell(&mut tabs, 0, 12_000);
    for (i, tab) in tabs.iter_mut().enumerate().skip(1) {
        for now in [12_000, 12_400, 12_600, 13_000] {
            assert!(matches!(tab.try_pass(now), Pass::Wait(_)), "tab {i} waits for the first answer at {now}");
        }
    }
    tabs[0].on_answer(13_000, Answer::Done { ok: true }, info(300, 40, 30), 0, true, 0.5);
    tell(&mut tabs, 0, 13_000);
    for (i, tab) in tabs.iter_mut().enumerate() {
        assert_eq!(tab.try_pass(13_000), Pass::Go, "room reported: tab {i} follows");
    }
}

#[test]
fn a_first_request_refused_again_closes_every_tab_again() {
    let mut a = Gate::new(CONSOLE);
    let mut b = Gate::new(CONSOLE);
    a.try_pass(0);
    a.on_answer(0, REFUSED_12S, None, 0, true, 0.0);
    b.learn(0, a.shared(), 0.0);
    assert_eq!(a.try_pass(12_000), Pass::Go);
    b.learn(12_000, a.shared(), 0.0);
    a.on_answer(12_100, REFUSED_12S, None, 0, true, 0.0);
    b.learn(12_100, a.shared(), 0.0);
    assert_eq!(b.try_pass(20_000), Pass::Wait(4_100), "closed again, not stuck behind the old probe");
    assert_eq!(b.try_pass(24_100), Pass::Go, "and after it, b may go first");
}

/// One step of a random history.
#[derive(Debug, Clone)]
enum Step {
    Advance(u64),
    Pass,
    /// Answers the oldest outstanding request.
    Answer {
        kind: u8,
        remaining: u64,
        reset_secs: u64,
        retry_after_s: Option<u64>,
        random: f64,
    },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0u64..20_000).prop_map(Step::Advance),
        Just(Step::Pass),
        Just(Step::Pass),
        (0u8..5, 0u64..5, 0u64..600, proptest::option::of(0u64..600), 0.0f64..1.0).prop_map(
            |(kind, remaining, reset_secs, retry_after_s, random)| Step::Answer {
                kind,
                remaining,
                reset_secs,
                retry_after_s,
                random
            }
        ),
    ]
}

proptest! {
    #[test]
    fn never_more_than_one_request_into_a_reopened_window_until_room_is_reported(
        steps in proptest::collection::vec(step(), 1..120)
    ) {
        // No probe timeout inside the history: time only moves by the steps.
        let mut gate = Gate::new(GateConfig { probe_timeout_ms: u64::MAX / 4, ..CONSOLE });
        let mut now = 1_000_000u64;
        let mut outstanding = 0u32;
        // Released since the gate last closed, with no answer reporting room since.
        let mut since_closure: Option<u32> = None;
        for s in steps {
            match s {
                Step::Advance(ms) => now += ms,
                Step::Pass => {
                    if gate.try_pass(now) == Pass::Go {
                        outstanding += 1;
                        if let Some(n) = since_closure.as_mut() {
                            *n += 1;
                            prop_assert!(*n <= 1, "{} requests released into a reopened window", n);
                        }
                    }
                }
                Step::Answer { kind, remaining, reset_secs, retry_after_s, random } if outstanding > 0 => {
                    outstanding -= 1;
                    let window = info(5, remaining, reset_secs);
                    let ra = retry_after_s.map(|s| s * 1000);
                    let answer = match kind {
                        0 => Answer::Refused { retry_after_ms: ra },
                        1 => Answer::Busy { retry_after_ms: ra },
                        2 => Answer::NetworkError,
                        3 => Answer::Dropped,
                        _ => Answer::Done { ok: true },
                    };
                    gate.on_answer(now, answer, (kind != 2 && kind != 3).then_some(window).flatten(), 0, true, random);
                    match answer {
                        Answer::Refused { .. } | Answer::Busy { .. } => since_closure = Some(0),
                        Answer::Done { .. } if remaining > 0 => since_closure = None,
                        // An empty window closes the gate as a refusal does.
                        Answer::Done { .. } => since_closure = Some(0),
                        // Nothing was learnt: the next request may probe instead.
                        _ => if let Some(n) = since_closure.as_mut() { *n = n.saturating_sub(1) },
                    }
                }
                Step::Answer { .. } => {}
            }
        }
    }

    #[test]
    fn across_tabs_never_more_than_one_request_into_a_reopened_window(
        steps in proptest::collection::vec((0usize..4, step()), 1..160)
    ) {
        // Four tabs of one session; each tab's news reaches the others at once.
        let config = GateConfig { probe_timeout_ms: u64::MAX / 4, ..CONSOLE };
        let mut tabs: Vec<Gate> = (0..4).map(|_| Gate::new(config)).collect();
        let mut outstanding = [0u32; 4];
        let mut now = 1_000_000u64;
        let mut since_closure: Option<u32> = None;
        let tell = |tabs: &mut [Gate], from: usize, now: u64, random: f64| {
            let shared = tabs[from].shared();
            for (i, tab) in tabs.iter_mut().enumerate() {
                if i != from {
                    tab.learn(now, shared, (random + i as f64 * 0.29) % 1.0);
                }
            }
        };
        for (tab, s) in steps {
            match s {
                Step::Advance(ms) => now += ms,
                Step::Pass => {
                    if tabs[tab].try_pass(now) == Pass::Go {
                        outstanding[tab] += 1;
                        if let Some(n) = since_closure.as_mut() {
                            *n += 1;
                            prop_assert!(*n <= 1, "{} requests released into a reopened window", n);
                        }
                        if tabs[tab].probing() {
                            tell(&mut tabs, tab, now, 0.5);
                        }
                    }
                }
                // Only the answers that end a closure's first request or close the window are
                // played here; answers with nothing to learn are covered by the one-tab property.
                Step::Answer { kind, remaining, reset_secs, retry_after_s, random } if outstanding[tab] > 0 => {
                    outstanding[tab] -= 1;
                    let ra = retry_after_s.map(|s| s * 1000);
                    let refused = kind == 0;
                    let answer = if refused { Answer::Refused { retry_after_ms: ra } } else { Answer::Done { ok: true } };
                    tabs[tab].on_answer(now, answer, info(5, remaining, reset_secs), 0, true, random);
                    tell(&mut tabs, tab, now, random);
                    since_closure = if refused || remaining == 0 { Some(0) } else { None };
                }
                Step::Answer { .. } => {}
            }
        }
    }

    #[test]
    fn waits_never_exceed_the_cap_unless_the_server_said_longer(
        steps in proptest::collection::vec(step(), 1..120)
    ) {
        let mut gate = Gate::new(CONSOLE);
        let mut now = 1_000_000u64;
        let mut outstanding = 0u32;
        let cap = CONSOLE.policy.cap_ms.max(CONSOLE.max_pacing_ms).max(CONSOLE.probe_timeout_ms);
        let mut stated = 0u64;
        for s in steps {
            match s {
                Step::Advance(ms) => now += ms,
                Step::Pass => match gate.try_pass(now) {
                    Pass::Go => outstanding += 1,
                    Pass::Wait(ms) => prop_assert!(
                        ms <= cap.max(stated + CONSOLE.jitter_ms + CONSOLE.min_wait_ms),
                        "waited {} ms, cap {} ms, server said {} ms", ms, cap, stated
                    ),
                },
                Step::Answer { kind, remaining, reset_secs, retry_after_s, random } if outstanding > 0 => {
                    outstanding -= 1;
                    let ra = retry_after_s.map(|s| s * 1000);
                    stated = stated.max(ra.unwrap_or(0)).max(reset_secs * 1000);
                    let answer = if kind == 0 { Answer::Refused { retry_after_ms: ra } } else { Answer::Done { ok: true } };
                    gate.on_answer(now, answer, info(5, remaining, reset_secs), 0, true, random);
                }
                Step::Answer { .. } => {}
            }
        }
    }

    #[test]
    fn reset_ages_with_time(reset_secs in 1u64..600, elapsed in 0u64..700_000) {
        let mut gate = Gate::new(CONSOLE);
        gate.try_pass(0);
        gate.on_answer(0, Answer::Done { ok: true }, info(100, 0, reset_secs), 0, true, 0.5);
        let pass = gate.try_pass(elapsed);
        if elapsed >= reset_secs * 1000 {
            prop_assert_eq!(pass, Pass::Go);
        } else {
            prop_assert_eq!(pass, Pass::Wait(reset_secs * 1000 - elapsed));
            prop_assert_eq!(gate.window(elapsed).unwrap().reset_secs, (reset_secs * 1000 - elapsed).div_ceil(1000));
        }
    }
}
