//! The one slot allocator: the only place that decides which slot a new custom field, a
//! fix or a help message gets.
//!
//! A slot is *free* when the allocator would hand it out: nothing holds it (no rule writes
//! it by hand, the lock neither holds nor retired it, no custom field was given it) and its
//! partner is not held either. The partner of `conversation_attribute_N` is
//! `conversation_label_N` and the reverse: Insights shows a label as the display text of the
//! same-numbered attribute's values, so two unrelated meanings must never share a number.
//! Measures have no partner. [`SlotAllocator::state`] says why a slot is not free, for
//! `flexmap slots` and `flexmap docs`.

use std::collections::BTreeMap;

use crate::catalog::{self, Section, Slot, SlotKind};

/// Why a slot is held.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Hold {
    /// A rule writes the slot by its number.
    Hand,
    /// A custom field holds it in `flexmap.lock`.
    Locked,
    /// Its custom field was removed; only an explicit `slot:` can re-use it.
    Retired,
    /// The plan gives it to a custom field the lock does not record yet (or a fix proposes
    /// it).
    Given,
}

impl Hold {
    /// "written by hand", "locked", "retired", "given to a custom field".
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            Hold::Hand => "written by hand",
            Hold::Locked => "locked",
            Hold::Retired => "retired",
            Hold::Given => "given to a custom field",
        }
    }
}

/// What the allocator thinks of one slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlotState {
    /// The allocator would hand it out.
    Free,
    /// The slot itself is held.
    Held(Hold),
    /// The slot is unused, but its partner (same number, attribute ↔ label) is held.
    Paired {
        /// The held partner.
        partner: Slot,
        /// Why the partner is held.
        hold: Hold,
    },
}

/// The partner of a slot: the label of an attribute, the attribute of a label.
#[must_use]
pub fn partner(slot: Slot) -> Option<Slot> {
    let kind = match slot.kind {
        SlotKind::Attribute => SlotKind::Label,
        SlotKind::Label => SlotKind::Attribute,
        SlotKind::Measure => return None,
    };
    Some(Slot { kind, ..slot })
}

/// The slots held in one slot space (a project, a file on its own, an audited record), and
/// the first free slot of each kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SlotAllocator {
    held: BTreeMap<Slot, Hold>,
}

impl SlotAllocator {
    /// An allocator in which every slot is free.
    #[must_use]
    pub fn new() -> SlotAllocator {
        SlotAllocator::default()
    }

    /// An allocator holding `slots` (written by hand).
    pub fn written(slots: impl IntoIterator<Item = Slot>) -> SlotAllocator {
        let mut allocator = SlotAllocator::new();
        for slot in slots {
            allocator.hold(slot, Hold::Hand);
        }
        allocator
    }

    /// Marks `slot` held; the first reason recorded wins (a hand-written slot stays `Hand`).
    pub fn hold(&mut self, slot: Slot, why: Hold) {
        self.held.entry(slot).or_insert(why);
    }

    /// Frees `slot` (a rule that a fix moves elsewhere gives its slot up).
    pub fn release(&mut self, slot: Slot) {
        self.held.remove(&slot);
    }

    /// Why `slot` is held, if it is.
    #[must_use]
    pub fn held(&self, slot: Slot) -> Option<Hold> {
        self.held.get(&slot).copied()
    }

    /// The allocator's view of `slot`.
    #[must_use]
    pub fn state(&self, slot: Slot) -> SlotState {
        if let Some(hold) = self.held(slot) {
            return SlotState::Held(hold);
        }
        match partner(slot).and_then(|p| self.held(p).map(|hold| (p, hold))) {
            Some((partner, hold)) => SlotState::Paired { partner, hold },
            None => SlotState::Free,
        }
    }

    /// True when the allocator would hand `slot` out.
    #[must_use]
    pub fn is_free(&self, slot: Slot) -> bool {
        self.state(slot) == SlotState::Free
    }

    /// The first free slot of `kind` in `section`, without taking it.
    #[must_use]
    pub fn first_free(&self, section: Section, kind: SlotKind) -> Option<Slot> {
        (1..=catalog::slot_count(section, kind))
            .map(|number| Slot {
                section,
                kind,
                number,
            })
            .find(|slot| self.is_free(*slot))
    }

    /// Takes the first free slot of `kind` in `section` (held as `Given` from now on).
    pub fn take(&mut self, section: Section, kind: SlotKind) -> Option<Slot> {
        let slot = self.first_free(section, kind)?;
        self.hold(slot, Hold::Given);
        Some(slot)
    }

    /// The free numbers of `kind` in `section`.
    #[must_use]
    pub fn free_numbers(&self, section: Section, kind: SlotKind) -> Vec<u32> {
        (1..=catalog::slot_count(section, kind))
            .filter(|number| {
                self.is_free(Slot {
                    section,
                    kind,
                    number: *number,
                })
            })
            .collect()
    }

    /// Adds every slot `other` holds (the union of two slot spaces, for documents that
    /// cover several files checked on their own).
    pub fn merge(&mut self, other: &SlotAllocator) {
        for (slot, hold) in &other.held {
            self.hold(*slot, *hold);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(kind: SlotKind, number: u32) -> Slot {
        Slot {
            section: Section::Conversations,
            kind,
            number,
        }
    }

    #[test]
    fn a_label_whose_attribute_is_held_is_never_handed_out() {
        let mut allocator = SlotAllocator::written([slot(SlotKind::Attribute, 1)]);
        assert_eq!(
            allocator.state(slot(SlotKind::Label, 1)),
            SlotState::Paired {
                partner: slot(SlotKind::Attribute, 1),
                hold: Hold::Hand
            }
        );
        assert_eq!(
            allocator.take(Section::Conversations, SlotKind::Label),
            Some(slot(SlotKind::Label, 2))
        );
        assert_eq!(
            allocator.first_free(Section::Conversations, SlotKind::Attribute),
            Some(slot(SlotKind::Attribute, 3))
        );
    }

    #[test]
    fn measures_have_no_partner_and_a_full_space_gives_none() {
        let mut allocator = SlotAllocator::written((1..=10).map(|n| slot(SlotKind::Attribute, n)));
        assert_eq!(
            allocator.first_free(Section::Conversations, SlotKind::Label),
            None
        );
        assert_eq!(
            allocator.take(Section::Conversations, SlotKind::Measure),
            Some(slot(SlotKind::Measure, 1))
        );
        assert_eq!(
            allocator.free_numbers(Section::Customers, SlotKind::Measure),
            Vec::<u32>::new()
        );
        allocator.release(slot(SlotKind::Attribute, 4));
        assert_eq!(
            allocator.first_free(Section::Conversations, SlotKind::Label),
            Some(slot(SlotKind::Label, 4))
        );
    }

    #[test]
    fn the_first_reason_wins() {
        let mut allocator = SlotAllocator::new();
        allocator.hold(slot(SlotKind::Attribute, 1), Hold::Hand);
        allocator.hold(slot(SlotKind::Attribute, 1), Hold::Locked);
        assert_eq!(
            allocator.held(slot(SlotKind::Attribute, 1)),
            Some(Hold::Hand)
        );
    }
}
