package reload

// RaceEnabled lets the external tests scale their volume down under the
// race detector, as the internal ones do.
const RaceEnabled = raceEnabled
