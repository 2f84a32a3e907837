// A benign logging helper: the demo's dependency. Nothing here runs at install time.
module.exports = function log(message) {
  console.log(`[example] ${message}`);
};
