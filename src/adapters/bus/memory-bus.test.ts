import { describeBusContract } from '../../../test/contracts/bus-contract.js';
import { MemoryBus } from './memory-bus.js';

describeBusContract('MemoryBus', async () => {
  const bus = new MemoryBus();
  return { a: bus, b: bus, close: () => bus.close() };
});
