//! The closed vocabulary of things a user can ask the viewer to do.
//!
//! Owns: the `Action` enum, its names (as written in the keymap) and one-line
//! descriptions (shown in the help overlay). Must not: know about keys or state.

use serde::{Deserialize, Serialize};

/// Declares the enum once and derives, from the same `///` lines, the descriptions
/// shown in the help overlay, so docs and help cannot drift apart.
macro_rules! actions {
    ($( #[doc = $doc:literal] $variant:ident => $name:literal, )+) => {
        /// Something the user asked for; the only input `App::apply` takes.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Action {
            $( #[doc = $doc] $variant, )+
        }

        impl Action {
            /// Every action, in the order the help overlay lists them.
            pub const ALL: &'static [Action] = &[$(Action::$variant),+];

            /// The name used in the keymap (`snake_case`).
            pub fn name(self) -> &'static str {
                match self { $(Action::$variant => $name,)+ }
            }

            /// One line for the help overlay.
            pub fn description(self) -> &'static str {
                match self { $(Action::$variant => $doc.trim(),)+ }
            }

            /// The action called `name` in a keymap.
            pub fn from_name(name: &str) -> Option<Action> {
                match name { $($name => Some(Action::$variant),)+ _ => None }
            }
        }
    };
}

actions! {
    /// Move one character left on screen
    MoveLeft => "move_left",
    /// Move one character right on screen
    MoveRight => "move_right",
    /// Move up one screen line
    MoveUp => "move_up",
    /// Move down one screen line
    MoveDown => "move_down",
    /// Next character in reading order
    NextChar => "next_char",
    /// Previous character in reading order
    PrevChar => "prev_char",
    /// Start of the next word in reading order
    NextWord => "next_word",
    /// Start of the previous word in reading order
    PrevWord => "prev_word",
    /// End of the word (its last letter) in reading order
    WordEnd => "word_end",
    /// Scroll down one screen
    PageDown => "page_down",
    /// Scroll up one screen
    PageUp => "page_up",
    /// Where reading of this screen line starts
    LineStart => "line_start",
    /// Where reading of this screen line ends
    LineEnd => "line_end",
    /// Start of the document
    DocumentStart => "document_start",
    /// End of the document
    DocumentEnd => "document_end",
    /// Next suggestion, or disagreement when adjudicating
    NextPending => "next_pending",
    /// Previous suggestion, or disagreement when adjudicating
    PrevPending => "prev_pending",
    /// Next span of any state, in reading order
    NextSpan => "next_span",
    /// Previous span of any state, in reading order
    PrevSpan => "prev_span",
    /// Accept the span under the cursor, go on to the next
    Accept => "accept",
    /// Reject it and its like in this document, go on to the next
    Reject => "reject",
    /// Accept every suggestion with this span's text and label
    AcceptAllLike => "accept_all_like",
    /// Reject every one like it, here and in every document
    RejectAllLike => "reject_all_like",
    /// Accept the rest of the paragraph's suggestions, one step
    AcceptRest => "accept_rest",
    /// Widen the span: its left edge on screen moves a word left
    WidenLeft => "widen_left",
    /// Widen the span: its right edge on screen moves a word right
    WidenRight => "widen_right",
    /// Shrink the span: its left edge on screen moves a word right
    ShrinkLeft => "shrink_left",
    /// Shrink the span: its right edge on screen moves a word left
    ShrinkRight => "shrink_right",
    /// Widen the span's left edge by one character
    WidenLeftChar => "widen_left_char",
    /// Widen the span's right edge by one character
    WidenRightChar => "widen_right_char",
    /// Shrink the span's left edge by one character
    ShrinkLeftChar => "shrink_left_char",
    /// Shrink the span's right edge by one character
    ShrinkRightChar => "shrink_right_char",
    /// Start or drop a selection of whole words (label key: span)
    Select => "select",
    /// Start or drop a selection by character, not whole words
    SelectClusters => "select_clusters",
    /// Label 1 of the label set (the legend's first): accept the span with it, make the selection a span, or, pressed twice, label the word
    Label1 => "label1",
    /// Label 2 of the label set, as label1
    Label2 => "label2",
    /// Label 3 of the label set, as label1
    Label3 => "label3",
    /// Label 4 of the label set, as label1
    Label4 => "label4",
    /// Label 5 of the label set, as label1
    Label5 => "label5",
    /// Label 6 of the label set, as label1
    Label6 => "label6",
    /// Label 7 of the label set, as label1
    Label7 => "label7",
    /// Label 8 of the label set, as label1
    Label8 => "label8",
    /// Label 9 of the label set, as label1
    Label9 => "label9",
    /// Delete the span (a suggestion: reject it), stay there
    Delete => "delete",
    /// Undo the last change to the spans (also after a restart)
    Undo => "undo",
    /// Redo what was undone
    Redo => "redo",
    /// Mark the document done (or not); asks if any are left
    ToggleDone => "toggle_done",
    /// Adjudicating: take a variant (then its letter; x: none)
    TakeVariant => "take_variant",
    /// Flag the span (else the document) as unsure; again: unflag
    Flag => "flag",
    /// Flag the document as unsure, with a note; again: unflag
    FlagDocument => "flag_document",
    /// Search, folded like the matcher (الجيش finds والجيش)
    Search => "search",
    /// Next search match
    SearchNext => "search_next",
    /// Previous search match
    SearchPrev => "search_prev",
    /// Next document of the set
    NextDocument => "next_document",
    /// Previous document of the set
    PrevDocument => "prev_document",
    /// The documents of the set and their progress
    DocumentList => "document_list",
    /// What the memory learnt; d forgets an entry, u undoes
    Memory => "memory",
    /// The team's agreement: F1 heatmap, bars per label, kappas
    Agreement => "agreement",
    /// Calibrate the terminal: pick the line that reads right
    TerminalCheck => "terminal_check",
    /// Drop the selection, the search prompt or the help
    Cancel => "cancel",
    /// Show or hide this help
    ToggleHelp => "toggle_help",
    /// Close the help
    CloseHelp => "close_help",
    /// Quit raqim
    Quit => "quit",
}

impl Action {
    /// The labelling action of label `i` of the set (0-based), for the first nine.
    pub fn label(i: usize) -> Option<Action> {
        const LABELS: [Action; 9] = [
            Action::Label1,
            Action::Label2,
            Action::Label3,
            Action::Label4,
            Action::Label5,
            Action::Label6,
            Action::Label7,
            Action::Label8,
            Action::Label9,
        ];
        LABELS.get(i).copied()
    }

    /// Which label of the set (0-based) a labelling action gives.
    pub fn label_index(self) -> Option<usize> {
        (0..9).find(|&i| Action::label(i) == Some(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_serde() {
        for &a in Action::ALL {
            assert_eq!(Action::from_name(a.name()), Some(a));
            let json = serde_json::to_string(&a).unwrap();
            assert_eq!(json, format!("\"{}\"", a.name()));
            assert!(!a.description().is_empty());
        }
    }
}
