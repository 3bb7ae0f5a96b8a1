//! Writing the number and date into a draft's placeholders (to come).
