package org.jepmd.ops;

import org.jepmd.server.EpmdEvents;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class CompositeEventsTest {

    private static EpmdEvents recorder(String name, List<String> calls) {
        return new EpmdEvents() {
            @Override
            public void kill(boolean accepted, java.net.SocketAddress peer) {
                calls.add(name + ":kill:" + accepted);
            }

            @Override
            public void bytesIn(long count) {
                calls.add(name + ":in:" + count);
            }
        };
    }

    @Test
    void everyObserverSeesEveryEventInOrder() {
        List<String> calls = new ArrayList<>();
        EpmdEvents both = CompositeEvents.of(List.of(recorder("a", calls), EpmdEvents.NONE, recorder("b", calls)));
        both.kill(true, null);
        both.bytesIn(3);
        both.registered(null, null); // neither observes it
        assertEquals(List.of("a:kill:true", "b:kill:true", "a:in:3", "b:in:3"), calls);
    }

    @Test
    void forwardsEveryEventTheInterfaceDeclares() throws NoSuchMethodException {
        for (java.lang.reflect.Method method : EpmdEvents.class.getDeclaredMethods()) {
            if (!java.lang.reflect.Modifier.isStatic(method.getModifiers())) {
                CompositeEvents.class.getDeclaredMethod(method.getName(), method.getParameterTypes());
            }
        }
    }

    @Test
    void noneOrOneObserverNeedsNoComposite() {
        EpmdEvents only = recorder("a", new ArrayList<>());
        assertSame(EpmdEvents.NONE, CompositeEvents.of(List.of(EpmdEvents.NONE)));
        assertSame(only, CompositeEvents.of(List.of(EpmdEvents.NONE, only)));
    }
}
