package bench.peer;

import java.util.List;
import javax.xml.bind.annotation.XmlAccessType;
import javax.xml.bind.annotation.XmlAccessorType;
import javax.xml.bind.annotation.XmlElement;
import javax.xml.bind.annotation.XmlElementWrapper;
import javax.xml.bind.annotation.XmlType;

@XmlAccessorType(XmlAccessType.FIELD)
@XmlType(name = "ApiAccount", namespace = ApiAccount.NS, propOrder = {"id", "properties"})
public class ApiAccount {
    static final String NS = "http://apiconnector.com";

    @XmlElement(name = "Id", namespace = NS)
    private long id;

    @XmlElementWrapper(name = "Properties", namespace = NS)
    @XmlElement(name = "ApiAccountProperty", namespace = NS)
    private List<ApiAccountProperty> properties;

    public ApiAccount() {}

    ApiAccount(long id, List<ApiAccountProperty> properties) {
        this.id = id;
        this.properties = properties;
    }
}
