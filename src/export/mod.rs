//! Showcase packets for demonstration sites and study packs for trainers (issue 7). Being written.
