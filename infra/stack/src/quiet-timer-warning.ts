// kafkajs 2.2.4 arms timers with negative delays under Node 24 (tulios/kafkajs#1751); Node clamps
// them to 1 ms and warns each time. Harmless, and noise in a CLI's progress output: imported first
// by the stack, demo and produce commands to drop that one warning.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (warning.name !== 'TimeoutNegativeWarning') console.warn(warning);
});
