//! 返回 and 前进 through the places a user opened (records, project pages, the overview), as a browser does.
//!
//! The shell tells the navigation where the user is after every frame ([`Navigation::observe`]); however the
//! place changed (a click on a result, ↑/↓, a link on a project page), the place left behind is remembered.
//! Going back or forward moves along that trail without adding to it.

use super::app::Tab;

/// How many places are remembered behind the current one.
const KEEP: usize = 50;

/// Where the user is: a tab, and the record shown in the search view's detail pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub tab: Tab,
    pub record: Option<String>,
}

impl Place {
    /// The place worth remembering for this tab and selection, if any: the editor and the bundle review are
    /// work in progress, and the search view with no record open is a way between places, not one.
    pub fn of(tab: &Tab, record: Option<&str>) -> Option<Place> {
        match tab {
            Tab::Editor | Tab::Bundle => None,
            Tab::Search => record.map(|id| Place { tab: Tab::Search, record: Some(id.to_string()) }),
            other => Some(Place { tab: other.clone(), record: None }),
        }
    }
}

/// The trail behind and ahead of the current place.
#[derive(Debug, Default)]
pub struct Navigation {
    back: Vec<Place>,
    forward: Vec<Place>,
    current: Option<Place>,
}

impl Navigation {
    /// Records where the user is now; a new place pushes the previous one on the back trail and clears the
    /// forward one.
    pub fn observe(&mut self, now: Option<Place>) {
        let Some(now) = now else { return };
        if self.current.as_ref() == Some(&now) {
            return;
        }
        if let Some(previous) = self.current.replace(now) {
            self.back.push(previous);
            if self.back.len() > KEEP {
                self.back.remove(0);
            }
        }
        self.forward.clear();
    }

    /// The place to go back to, which becomes the current one.
    pub fn back(&mut self) -> Option<Place> {
        let to = self.back.pop()?;
        if let Some(current) = self.current.replace(to.clone()) {
            self.forward.push(current);
        }
        Some(to)
    }

    /// The place to go forward to, which becomes the current one.
    pub fn forward(&mut self) -> Option<Place> {
        let to = self.forward.pop()?;
        if let Some(current) = self.current.replace(to.clone()) {
            self.back.push(current);
        }
        Some(to)
    }

    pub fn can_go_back(&self) -> bool {
        !self.back.is_empty()
    }

    pub fn can_go_forward(&self) -> bool {
        !self.forward.is_empty()
    }

    /// Forgets the trail (another library was opened: its records are not these).
    pub fn clear(&mut self) {
        *self = Navigation::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str) -> Option<Place> {
        Place::of(&Tab::Search, Some(id))
    }

    #[test]
    fn back_and_forward_walk_the_trail() {
        let mut n = Navigation::default();
        n.observe(record("a"));
        n.observe(record("a"));
        n.observe(record("b"));
        n.observe(Place::of(&Tab::Project("p".into()), None));
        assert_eq!(n.back(), record("b"));
        n.observe(record("b"));
        assert_eq!(n.back(), record("a"));
        assert!(!n.can_go_back());
        assert_eq!(n.forward(), record("b"));
        assert_eq!(n.forward(), Place::of(&Tab::Project("p".into()), None));
        assert!(!n.can_go_forward());
        // A new place after going back drops what was ahead.
        n.back();
        n.observe(record("c"));
        assert!(!n.can_go_forward());
        assert_eq!(n.back(), record("b"));
    }

    #[test]
    fn the_editor_and_an_empty_search_are_not_places() {
        let mut n = Navigation::default();
        n.observe(record("a"));
        n.observe(Place::of(&Tab::Editor, None));
        n.observe(Place::of(&Tab::Search, None));
        n.observe(record("b"));
        assert_eq!(n.back(), record("a"));
        assert!(!n.can_go_back());
    }
}
