import { runConsumerService } from '../../shared/adapters/consumer-service';
import { runMain } from '../../shared/adapters/main';
import { listingConsumer } from './handler';

runMain(() => runConsumerService(listingConsumer));
