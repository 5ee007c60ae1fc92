package kit

import "time"

// BangladeshTime is Bangladesh Standard Time, UTC+6 all year (no daylight
// saving since 2009): the zone of providers' timestamps written without an
// offset.
var BangladeshTime = time.FixedZone("BST", 6*60*60)
